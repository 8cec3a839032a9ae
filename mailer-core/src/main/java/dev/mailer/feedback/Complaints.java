package dev.mailer.feedback;

import dev.mailer.message.Token;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** RFC 5965 feedback reports: spam complaints, and the rarer kinds that are not complaints. */
final class Complaints {
    private Complaints() {
    }

    static List<Feedback> read(ParsedMessage message) {
        MessageParts parts = message.parts();
        List<HeaderFields.Field> fields = HeaderFields.parse(parts.feedbackReport());
        String feedbackType = HeaderFields.first(fields, "feedback-type");
        String kind = feedbackType == null ? "abuse" : feedbackType.strip().toLowerCase(Locale.ROOT);
        FeedbackType type = switch (kind) {
            // "not spam" and DMARC failure reports are reports, but nobody complained
            case "not-spam", "auth-failure", "dmarc" -> FeedbackType.UNKNOWN;
            // the ARF draft's removal request is an unsubscribe, not a spam report
            case "opt-out", "opt-out-list" -> FeedbackType.UNSUBSCRIBE;
            default -> FeedbackType.COMPLAINT;
        };
        if (type == FeedbackType.UNKNOWN) {
            return List.of(message.unknown());
        }
        String diagnostic = "Feedback-Type: " + (feedbackType == null ? "abuse" : feedbackType.strip());
        List<Feedback> entries = new ArrayList<>();
        for (String recipient : recipients(message, fields)) {
            entries.add(new Feedback(type, recipient, null, null, false, diagnostic, message.campaignId(),
                    message.contactId(), key(message, type, recipient)).withToken(message.token()));
            if (entries.size() >= FailedRecipients.MAX_FAILURES) {
                break;
            }
        }
        return entries;
    }

    /** Original-Rcpt-To (or the older Removal-Recipient), else the returned original's To. */
    private static List<String> recipients(ParsedMessage message, List<HeaderFields.Field> fields) {
        Set<String> recipients = new LinkedHashSet<>();
        for (HeaderFields.Field field : fields) {
            if (field.name().equals("original-rcpt-to") || field.name().equals("removal-recipient")) {
                String address = DeliveryStatus.address(field.value());
                if (address != null) {
                    recipients.add(address);
                }
            }
        }
        if (recipients.isEmpty()) {
            String to = Addresses.first(message.parts().returnedHeader("To"));
            if (to != null) {
                recipients.add(to);
            }
        }
        List<String> list = new ArrayList<>(recipients);
        if (list.isEmpty()) {
            list.add(null); // a complaint about nobody we can name is still a complaint
        }
        return list;
    }

    /** An opt-out counts once with every other unsubscribe through the same token. */
    private static String key(ParsedMessage message, FeedbackType type, String recipient) {
        if (type == FeedbackType.UNSUBSCRIBE && message.token() != null
                && message.token().kind() == Token.Kind.UNSUBSCRIBE) {
            return "unsubscribe:" + message.tokenText();
        }
        return message.key() + "#" + (recipient == null ? "complaint" : recipient);
    }
}
