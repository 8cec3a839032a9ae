package dev.mailer.feedback.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailer.feedback.Feedback;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.feedback.ProviderFeedback;
import dev.mailer.feedback.ProviderFeedback.Severity;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /webhooks/sendgrid}: SendGrid's Event Webhook with signed events on — a JSON array of
 * events. The signature ({@code X-Twilio-Email-Event-Webhook-Signature}, base64 DER ECDSA) is over
 * the timestamp header ({@code X-Twilio-Email-Event-Webhook-Timestamp}) followed by the raw body,
 * checked with the P-256 verification key SendGrid shows. Events: {@code bounce} (a {@code blocked}
 * one is temporary), {@code dropped} for a bounced or invalid address, {@code deferred} (news: still
 * trying), {@code spamreport}, {@code unsubscribe} and {@code group_unsubscribe}; the others are
 * taken and not acted on. Each is known by its {@code sg_event_id}.
 */
final class SendGridWebhook implements Webhook {
    static final String NAME = "sendgrid";
    static final String SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
    static final String TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";
    /** SendGrid posts at most a few thousand events at once. */
    static final int MAX_EVENTS = 10_000;

    private final FeedbackRecorder recorder;
    private final ProviderFeedback feedback;
    private final ECPublicKey key;

    SendGridWebhook(FeedbackRecorder recorder, ProviderFeedback feedback, ECPublicKey key) {
        this.recorder = recorder;
        this.feedback = feedback;
        this.key = key;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public WebhookAnswer handle(WebhookRequest request) {
        String signature = request.header(SIGNATURE_HEADER);
        String timestamp = request.header(TIMESTAMP_HEADER);
        if (signature == null || timestamp == null) {
            return WebhookAnswer.unauthorized("no signature");
        }
        if (!signed(timestamp, request.body(), signature)) {
            return WebhookAnswer.unauthorized("signature does not verify");
        }
        JsonNode events;
        try {
            events = Json.read(request.body());
        } catch (Json.Malformed e) {
            return WebhookAnswer.badRequest("malformed JSON");
        }
        if (!events.isArray() || events.size() > MAX_EVENTS) {
            return WebhookAnswer.badRequest("not an array of events");
        }
        List<Feedback> entries = new ArrayList<>(events.size());
        for (JsonNode event : events) {
            if (!event.isObject()) {
                return WebhookAnswer.badRequest("not an array of events");
            }
            entries.add(entry(event));
        }
        Webhooks.record(recorder, entries);
        return WebhookAnswer.ok();
    }

    private boolean signed(String timestamp, byte[] body, String given) {
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(key);
            verifier.update(timestamp.getBytes(StandardCharsets.UTF_8));
            verifier.update(body);
            return verifier.verify(Base64.getDecoder().decode(given.strip()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // not base64, not a DER signature: it does not verify
        }
    }

    Feedback entry(JsonNode event) {
        String id = Json.text(event, "sg_event_id");
        String key = "sendgrid:" + (id != null ? id : sha256(event.toString()));
        String recipient = Json.text(event, "email");
        String kind = String.valueOf(Json.text(event, "event")).toLowerCase(Locale.ROOT);
        return switch (kind) {
            case "bounce" -> {
                boolean blocked = "blocked".equalsIgnoreCase(Json.text(event, "type"));
                yield feedback.bounce(key, recipient, Json.text(event, "status"), Json.text(event, "reason"),
                        blocked ? Severity.TEMPORARY : Severity.PERMANENT,
                        "Invalid Address".equalsIgnoreCase(Json.text(event, "bounce_classification")), event);
            }
            case "dropped" -> dropped(key, recipient, event);
            case "deferred" -> feedback.bounce(key, recipient, Json.text(event, "status"),
                    Json.text(event, "response"), Severity.RETRYING, false, event);
            case "spamreport" -> feedback.complaint(key, recipient, null, event);
            case "unsubscribe", "group_unsubscribe" -> feedback.unsubscribe(key, recipient, event);
            default -> feedback.unknown(key);
        };
    }

    /**
     * Not sent by SendGrid. Only "Bounced Address" (on its bounce list) and "Invalid" say something
     * about the person; an unsubscribed or complaining address came as its own event, and the other
     * reasons (content, quota) are the sender's.
     */
    private Feedback dropped(String key, String recipient, JsonNode event) {
        String reason = String.valueOf(Json.text(event, "reason"));
        String lower = reason.toLowerCase(Locale.ROOT);
        // "Invalid" alone is the address; "Invalid SMTPAPI header" is ours
        if (!lower.startsWith("bounced address") && !lower.equals("invalid")) {
            return feedback.unknown(key);
        }
        return feedback.bounce(key, recipient, null, "SendGrid dropped the message: " + reason, Severity.PERMANENT,
                true, event);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime lacks SHA-256", e);
        }
    }
}
