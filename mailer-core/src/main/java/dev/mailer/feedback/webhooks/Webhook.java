package dev.mailer.feedback.webhooks;

/** One provider's webhook: checks that a request comes from the provider, then records its events. */
public interface Webhook {
    /** The provider's name in the URL: {@code /webhooks/NAME}. */
    String name();

    /**
     * Answers a complete request: 401 when it does not prove where it comes from (nothing
     * recorded), 400 when it is malformed, 200 once its events are recorded.
     *
     * @throws dev.mailer.error.DatabaseUnreachable while the database does not answer (the server
     *         answers 503; providers retry)
     */
    WebhookAnswer handle(WebhookRequest request);
}
