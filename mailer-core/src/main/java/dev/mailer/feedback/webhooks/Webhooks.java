package dev.mailer.feedback.webhooks;

import dev.mailer.config.WebhooksConfig;
import dev.mailer.feedback.Feedback;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.feedback.ProviderFeedback;
import dev.mailer.message.TokenSigner;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The providers' webhooks that are on ({@code webhooks:} in mailer.yaml, SPEC §9), by the name in
 * their URL: {@code POST /webhooks/ses}, {@code /mailgun}, {@code /sendgrid}, {@code /postmark}. Each
 * checks that a request comes from its provider, then hands every event to the same
 * {@link FeedbackRecorder} as the mailbox, once per provider event id.
 */
public final class Webhooks {
    /** Where the webhooks live. */
    public static final String PATH = "/webhooks/";
    /** Every provider there is a webhook for, in the order they are listed. */
    public static final List<String> PROVIDERS = List.of(SesWebhook.NAME, MailgunWebhook.NAME, SendGridWebhook.NAME,
            PostmarkWebhook.NAME);
    /** No webhook on. */
    public static final Webhooks NONE = new Webhooks(Map.of());

    private final Map<String, Webhook> byName;

    private Webhooks(Map<String, Webhook> byName) {
        this.byName = byName;
    }

    /**
     * @param recorder  where events go: the mailbox's recorder
     * @param tokens    checks our tokens in the events (the sending side's secret)
     * @param snsFetch  fetches SNS's certificates and subscription links ({@link HttpsFetcher#jvmTrust()})
     * @throws IllegalArgumentException when SendGrid's key is not one
     */
    public static Webhooks of(WebhooksConfig config, FeedbackRecorder recorder, TokenSigner tokens,
                              HttpsFetcher snsFetch) {
        Map<String, Webhook> on = new LinkedHashMap<>();
        if (config.ses()) {
            on.put(SesWebhook.NAME, new SesWebhook(recorder, new ProviderFeedback(tokens, "Amazon SES"),
                    new SnsCertificates(snsFetch), config.sesTopicArns()));
        }
        if (config.mailgunSigningKey() != null) {
            on.put(MailgunWebhook.NAME, new MailgunWebhook(recorder, new ProviderFeedback(tokens, "Mailgun"),
                    config.mailgunSigningKey(), Clock.systemUTC()));
        }
        if (config.sendgridPublicKey() != null) {
            on.put(SendGridWebhook.NAME, new SendGridWebhook(recorder, new ProviderFeedback(tokens, "SendGrid"),
                    WebhooksConfig.sendgridKey(config.sendgridPublicKey())));
        }
        if (config.postmarkUser() != null) {
            on.put(PostmarkWebhook.NAME, new PostmarkWebhook(recorder, new ProviderFeedback(tokens, "Postmark"),
                    config.postmarkUser(), config.postmarkPassword()));
        }
        return new Webhooks(Map.copyOf(on));
    }

    /** The webhook at {@code /webhooks/NAME} when it is on. */
    public Optional<Webhook> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The names of those that are on, in {@link #PROVIDERS} order. */
    public List<String> on() {
        List<String> on = new ArrayList<>();
        for (String name : PROVIDERS) {
            if (byName.containsKey(name)) {
                on.add(name);
            }
        }
        return on;
    }

    /** Each entry through the recorder, in order; a database that does not answer stops it (503, retried). */
    static void record(FeedbackRecorder recorder, List<Feedback> entries) {
        for (Feedback entry : entries) {
            recorder.record(entry);
        }
    }
}
