package dev.mailer.feedback.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailer.feedback.Feedback;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.feedback.ProviderFeedback;
import dev.mailer.feedback.ProviderFeedback.Severity;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code POST /webhooks/mailgun}: Mailgun's webhooks ({@code {"signature": {timestamp, token,
 * signature}, "event-data": {…}}}). The signature is the hex HMAC-SHA256 of timestamp and token
 * with the HTTP webhook signing key, compared in constant time; a timestamp more than
 * {@value #MAX_AGE_SECONDS} s old (or {@value #MAX_SKEW_SECONDS} s ahead) is refused, and so is a
 * token seen before. Events: {@code failed} (permanent or temporary), {@code complained},
 * {@code unsubscribed}; the others (delivered, opened …) are taken and not acted on.
 */
final class MailgunWebhook implements Webhook {
    static final String NAME = "mailgun";
    static final long MAX_AGE_SECONDS = 5 * 60;
    static final long MAX_SKEW_SECONDS = 60;
    static final int REPLAY_CAPACITY = 100_000;
    private static final String ALGORITHM = "HmacSHA256";

    private final FeedbackRecorder recorder;
    private final ProviderFeedback feedback;
    private final SecretKeySpec key;
    private final Clock clock;
    private final ReplayCache seen = new ReplayCache(REPLAY_CAPACITY);

    MailgunWebhook(FeedbackRecorder recorder, ProviderFeedback feedback, String signingKey, Clock clock) {
        this.recorder = recorder;
        this.feedback = feedback;
        this.key = new SecretKeySpec(signingKey.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public WebhookAnswer handle(WebhookRequest request) {
        JsonNode root;
        try {
            root = Json.read(request.body());
        } catch (Json.Malformed e) {
            return WebhookAnswer.badRequest("malformed JSON");
        }
        JsonNode signature = root.path("signature");
        String timestamp = Json.text(signature, "timestamp");
        String token = Json.text(signature, "token");
        String given = Json.text(signature, "signature");
        if (timestamp == null || token == null || given == null) {
            return WebhookAnswer.unauthorized("no signature");
        }
        if (!signed(timestamp, token, given)) {
            return WebhookAnswer.unauthorized("signature does not verify");
        }
        long now = clock.instant().getEpochSecond();
        long at = seconds(timestamp);
        if (at < 0 || now - at > MAX_AGE_SECONDS || at - now > MAX_SKEW_SECONDS) {
            return WebhookAnswer.unauthorized("timestamp too old or in the future");
        }
        if (!seen.claim(token, at + MAX_AGE_SECONDS, now)) {
            return WebhookAnswer.unauthorized("token used before");
        }
        boolean recorded = false;
        try {
            JsonNode event = root.path("event-data");
            if (!event.isObject()) {
                return WebhookAnswer.badRequest("no event-data");
            }
            Webhooks.record(recorder, java.util.List.of(entry(event)));
            recorded = true;
            return WebhookAnswer.ok();
        } finally {
            if (!recorded) {
                seen.release(token); // Mailgun retries; its retry must not look like a replay
            }
        }
    }

    private boolean signed(String timestamp, String token, String given) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            byte[] expected = HexFormat.of().formatHex(mac.doFinal((timestamp + token).getBytes(StandardCharsets.UTF_8)))
                    .getBytes(StandardCharsets.US_ASCII);
            return MessageDigest.isEqual(expected, given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime lacks " + ALGORITHM, e);
        }
    }

    /** Whole seconds since the epoch; -1 when it is not a plain number. */
    private static long seconds(String timestamp) {
        if (timestamp.length() > 12 || !timestamp.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(timestamp);
    }

    /** One event-data as feedback; known by Mailgun's event id (unique within a day) and its time. */
    Feedback entry(JsonNode event) {
        String id = Json.text(event, "id");
        String key = "mailgun:" + (id == null ? "?" : id) + ":" + event.path("timestamp").asLong(0);
        String recipient = Json.text(event, "recipient");
        String kind = String.valueOf(Json.text(event, "event")).toLowerCase(Locale.ROOT);
        return switch (kind) {
            case "failed" -> failure(key, recipient, event);
            case "complained" -> feedback.complaint(key, recipient, null, event);
            case "unsubscribed" -> feedback.unsubscribe(key, recipient, event);
            default -> feedback.unknown(key);
        };
    }

    private Feedback failure(String key, String recipient, JsonNode event) {
        String reason = String.valueOf(Json.text(event, "reason")).toLowerCase(Locale.ROOT);
        if (reason.equals("suppress-unsubscribe") || reason.equals("suppress-complaint")) {
            // not sent because of an earlier unsubscribe or complaint: that event came on its own
            return feedback.unknown(key);
        }
        Severity severity = "temporary".equalsIgnoreCase(Json.text(event, "severity")) ? Severity.RETRYING
                : Severity.PERMANENT;
        JsonNode status = event.path("delivery-status");
        StringJoiner diagnostic = new StringJoiner(" ");
        int code = status.path("code").asInt(0);
        if (code >= 200 && code < 600) {
            diagnostic.add(Integer.toString(code)); // Mailgun's own 6xx codes are no SMTP replies
        }
        String message = Json.text(status, "message");
        String description = Json.text(status, "description");
        if (message != null) {
            diagnostic.add(message);
        }
        if (description != null && !description.equals(message)) {
            diagnostic.add(description);
        }
        String enhanced = Json.text(status, "enhanced-code");
        // not sent because the address bounced before: Mailgun's own list says it is gone
        boolean addressGone = reason.equals("suppress-bounce");
        return feedback.bounce(key, recipient, enhanced, diagnostic.length() == 0 ? null : diagnostic.toString(),
                severity, addressGone, event);
    }
}
