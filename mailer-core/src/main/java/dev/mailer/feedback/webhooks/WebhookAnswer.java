package dev.mailer.feedback.webhooks;

import java.util.Map;

/**
 * What a webhook answers: a status and one line of plain text for the provider's delivery log.
 * A provider retries anything but a 2xx (and most of them a 4xx), so 200 comes only after every
 * event is recorded, and an answer never names a person.
 *
 * @param headers extra headers, e.g. {@code WWW-Authenticate}
 */
public record WebhookAnswer(int status, String text, Map<String, String> headers) {
    public WebhookAnswer {
        headers = Map.copyOf(headers);
    }

    static WebhookAnswer of(int status, String text) {
        return new WebhookAnswer(status, text + "\n", Map.of());
    }

    /** Every event in the request is recorded (or was before, or is none to act on). */
    static WebhookAnswer ok() {
        return of(200, "ok");
    }

    /** The signature (or password) does not prove the request comes from the provider: nothing recorded. */
    static WebhookAnswer unauthorized(String why) {
        return of(401, why);
    }

    /** The body is no JSON, or not the provider's shape. */
    static WebhookAnswer badRequest(String why) {
        return of(400, why);
    }

    WebhookAnswer withHeader(String name, String value) {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.put(name, value);
        return new WebhookAnswer(status, text, all);
    }
}
