package dev.mailer.feedback.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailer.feedback.Feedback;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.feedback.ProviderFeedback;
import dev.mailer.feedback.ProviderFeedback.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /webhooks/postmark}: Postmark's bounce, spam-complaint and subscription-change
 * webhooks, given as {@code https://USER:PASSWORD@host/webhooks/postmark} (HTTP basic auth, compared
 * in constant time). Bounce types: {@code HardBounce} and {@code BadEmailAddress} (the address is
 * gone), {@code SoftBounce} and {@code DnsError} (soft), {@code Transient} (still trying),
 * {@code Blocked} and {@code DMARCPolicy} (the remote server's words decide, mostly the sender's
 * fault), {@code SpamComplaint}, {@code Unsubscribe}; the others are taken and not acted on. A
 * subscription change counts when the person suppressed the stream themselves. Each is known by
 * Postmark's ID.
 */
final class PostmarkWebhook implements Webhook {
    static final String NAME = "postmark";
    static final String CHALLENGE = "Basic realm=\"mailer webhooks\", charset=\"UTF-8\"";

    private final FeedbackRecorder recorder;
    private final ProviderFeedback feedback;
    private final byte[] expected;

    PostmarkWebhook(FeedbackRecorder recorder, ProviderFeedback feedback, String user, String password) {
        this.recorder = recorder;
        this.feedback = feedback;
        this.expected = digest(user + ":" + password);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public WebhookAnswer handle(WebhookRequest request) {
        if (!authorized(request.header("Authorization"))) {
            return WebhookAnswer.unauthorized("user or password wrong").withHeader("WWW-Authenticate", CHALLENGE);
        }
        JsonNode event;
        try {
            event = Json.read(request.body());
        } catch (Json.Malformed e) {
            return WebhookAnswer.badRequest("malformed JSON");
        }
        if (!event.isObject()) {
            return WebhookAnswer.badRequest("not a Postmark webhook");
        }
        Webhooks.record(recorder, List.of(entry(event)));
        return WebhookAnswer.ok();
    }

    /** Both digests have the same length whatever was sent, so the comparison takes the same time. */
    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String credentials;
        try {
            credentials = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(expected, digest(credentials));
    }

    Feedback entry(JsonNode event) {
        String recordType = String.valueOf(Json.text(event, "RecordType"));
        return switch (recordType) {
            case "Bounce", "SpamComplaint" -> bounce(event);
            case "SubscriptionChange" -> subscriptionChange(event);
            default -> feedback.unknown("postmark:" + recordType + ":" + Json.text(event, "ID"));
        };
    }

    private Feedback bounce(JsonNode event) {
        String id = Json.text(event, "ID");
        String recipient = Json.text(event, "Email");
        String key = "postmark:" + (id != null ? id : "message:" + Json.text(event, "MessageID") + ":" + recipient);
        String details = Json.text(event, "Details");
        String diagnostic = details != null ? details : Json.text(event, "Description");
        String type = String.valueOf(Json.text(event, "Type"));
        return switch (type) {
            case "HardBounce", "BadEmailAddress" ->
                    feedback.bounce(key, recipient, null, diagnostic, Severity.PERMANENT, true, event);
            case "SoftBounce", "DnsError" ->
                    feedback.bounce(key, recipient, null, diagnostic, Severity.TEMPORARY, false, event);
            case "Transient" -> feedback.bounce(key, recipient, null, diagnostic, Severity.RETRYING, false, event);
            case "Blocked", "DMARCPolicy" ->
                    feedback.bounce(key, recipient, null, diagnostic, Severity.PERMANENT, false, event);
            case "SpamComplaint" -> feedback.complaint(key, recipient, null, event);
            case "Unsubscribe" -> feedback.unsubscribe(key, recipient, event);
            default -> feedback.unknown(key);
        };
    }

    /** Only the person's own suppression is an unsubscribe; bounces and complaints come as their own events. */
    private Feedback subscriptionChange(JsonNode event) {
        String recipient = Json.text(event, "Recipient");
        String key = "postmark:subscription:" + Json.text(event, "MessageID") + ":" + recipient + ":"
                + Json.text(event, "ChangedAt");
        boolean bySelf = event.path("SuppressSending").asBoolean(false)
                && "ManualSuppression".equals(Json.text(event, "SuppressionReason"))
                && "recipient".equals(String.valueOf(Json.text(event, "Origin")).toLowerCase(Locale.ROOT));
        return bySelf ? feedback.unsubscribe(key, recipient, event) : feedback.unknown(key);
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime lacks SHA-256", e);
        }
    }
}
