package dev.mailer.feedback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Amazon SES bounce and complaint notifications delivered as e-mail: a JSON document in the body,
 * either bare (raw delivery, event publishing) or wrapped in an SNS envelope whose "Message" field
 * holds it as a string. These carry no delivery-status part and little prose, so the text readers
 * would find no failed address in them.
 *
 * <p>Both notification shapes are read: {@code notificationType} (identity notifications) and
 * {@code eventType} (configuration-set event publishing). The same reading serves notifications
 * that Amazon SNS posts to {@code mailer serve} ({@link ProviderFeedback#ses}).
 */
final class SesNotifications {
    /** Only notifications announce themselves this way; anything else is skipped cheaply. */
    private static final String[] MARKERS = {"\"notificationType", "\\\"notificationType", "\"eventType", "\\\"eventType"};
    /** A notification for one message is small; a body much larger is not one. */
    private static final int MAX_JSON_CHARS = 64 * 1024;
    /**
     * Lenient, because mail transport folds long lines and so puts raw line breaks inside JSON
     * strings; the document is still the one SES sent.
     */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .build();

    private SesNotifications() {
    }

    /** @return the entries when the readable text is an SES notification, else empty */
    static Optional<List<Feedback>> read(ParsedMessage message) {
        String text = message.parts().readable();
        if (!mentionsNotification(text)) {
            return Optional.empty();
        }
        JsonNode notification = notification(text);
        if (notification == null) {
            return Optional.empty();
        }
        return Optional.of(entries(message, notification));
    }

    /**
     * The entries of one SES notification, however it reached us: in a mail ({@link #read}) or
     * posted by Amazon SNS to a webhook ({@link ProviderFeedback#ses}). {@code message} gives the
     * key and the verified token; its parts are not read.
     */
    static List<Feedback> entries(ParsedMessage message, JsonNode notification) {
        return switch (kind(notification)) {
            case "bounce" -> bounces(message, notification.path("bounce"));
            case "complaint" -> complaints(message, notification.path("complaint"));
            // a delivery (or any other event) is news, not feedback we act on
            default -> List.of(message.unknown());
        };
    }

    /** Whether this JSON object is an SES notification at all (of any kind). */
    static boolean isNotification(JsonNode node) {
        return node != null && node.isObject() && (node.has("notificationType") || node.has("eventType"));
    }

    /** {@code bounce}, {@code complaint}, {@code delivery} …, lower case; empty when it says none. */
    static String kind(JsonNode notification) {
        return notification.path("notificationType").asText(notification.path("eventType").asText(""))
                .toLowerCase(Locale.ROOT);
    }

    private static boolean mentionsNotification(String text) {
        for (String marker : MARKERS) {
            if (text.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** The notification object: the body itself, or the SNS envelope's "Message" string parsed. */
    private static JsonNode notification(String text) {
        JsonNode outer = objectIn(text);
        if (outer == null) {
            return null;
        }
        if (isNotification(outer)) {
            return outer;
        }
        JsonNode inner = outer.path("Message");
        if (inner.isTextual()) {
            JsonNode parsed = objectIn(inner.asText());
            if (isNotification(parsed)) {
                return parsed;
            }
        }
        return null;
    }

    /** The JSON object between the text's first '{' and last '}', or null when it is not one. */
    private static JsonNode objectIn(String text) {
        int start = text.indexOf('{');
        int end = text.lastIndexOf('}');
        if (start < 0 || end <= start || end - start > MAX_JSON_CHARS) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(text.substring(start, end + 1));
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static List<Feedback> bounces(ParsedMessage message, JsonNode bounce) {
        // SES itself calls a bounce Transient when the failure is temporary (mailbox full,
        // message too large, content rejected): never a reason to stop mailing the address
        boolean transientBounce = bounce.path("bounceType").asText("").equalsIgnoreCase("Transient");
        // NoEmail is SES's own verdict that the address does not exist
        boolean noSuchAddress = bounce.path("bounceType").asText("").equalsIgnoreCase("Permanent")
                && bounce.path("bounceSubType").asText("").equalsIgnoreCase("NoEmail");
        List<Feedback> entries = new ArrayList<>();
        for (JsonNode recipient : bounce.path("bouncedRecipients")) {
            String address = Addresses.first(recipient.path("emailAddress").asText(""));
            String diagnostic = blankToNull(recipient.path("diagnosticCode").asText(""));
            String status = SmtpReplies.statusField(recipient.path("status").asText(""));
            if (status == null) {
                status = SmtpReplies.status(diagnostic);
            }
            String given = blankToNull(recipient.path("action").asText(""));
            String action = given == null ? "failed" : given.toLowerCase(Locale.ROOT);
            boolean hard = ProviderFeedback.hard(!transientBounce && !action.equals("delayed"), noSuchAddress, status,
                    diagnostic);
            entries.add(message.bounce(address, status, action, hard, ParsedMessage.compact(diagnostic), entries.size()));
            if (entries.size() >= FailedRecipients.MAX_FAILURES) {
                break;
            }
        }
        return entries.isEmpty() ? List.of(message.unknown()) : entries;
    }

    private static List<Feedback> complaints(ParsedMessage message, JsonNode complaint) {
        String feedbackType = blankToNull(complaint.path("complaintFeedbackType").asText(""));
        // as for ARF reports: "not-spam" is a report, but nobody complained
        if (feedbackType != null && feedbackType.equalsIgnoreCase("not-spam")) {
            return List.of(message.unknown());
        }
        String diagnostic = "Feedback-Type: " + (feedbackType == null ? "abuse" : feedbackType);
        List<Feedback> entries = new ArrayList<>();
        for (JsonNode recipient : complaint.path("complainedRecipients")) {
            String address = Addresses.first(recipient.path("emailAddress").asText(""));
            entries.add(new Feedback(FeedbackType.COMPLAINT, address, null, null, false, diagnostic,
                    message.campaignId(), message.contactId(),
                    message.key() + "#" + (address == null ? "complaint-" + entries.size() : address))
                    .withToken(message.token()));
            if (entries.size() >= FailedRecipients.MAX_FAILURES) {
                break;
            }
        }
        if (entries.isEmpty()) {
            entries.add(new Feedback(FeedbackType.COMPLAINT, null, null, null, false, diagnostic,
                    message.campaignId(), message.contactId(), message.key() + "#complaint").withToken(message.token()));
        }
        return entries;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
