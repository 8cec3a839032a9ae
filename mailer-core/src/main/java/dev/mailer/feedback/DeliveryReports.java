package dev.mailer.feedback;

import dev.mailer.reply.Replies;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** RFC 3464 delivery status notifications: one bounce per failed or delayed recipient. */
final class DeliveryReports {
    private DeliveryReports() {
    }

    /** @return the bounces; one unknown entry for a report of success only; empty for no records */
    static List<Feedback> read(ParsedMessage message) {
        List<DeliveryStatus> records = DeliveryStatus.parse(message.parts().deliveryStatus());
        if (records.isEmpty()) {
            return List.of();
        }
        List<DeliveryStatus> bounces = records.stream().filter(DeliveryStatus::isBounce).toList();
        if (bounces.isEmpty()) {
            return List.of(message.unknown()); // delivered, relayed or expanded: nothing went wrong
        }
        Set<String> returnedTo = message.returnedRecipients();
        List<FailedRecipients.Failure> fromText = null;
        List<Feedback> entries = new ArrayList<>();
        for (DeliveryStatus record : bounces.subList(0, Math.min(bounces.size(), FailedRecipients.MAX_FAILURES))) {
            String recipient = chooseRecipient(record, returnedTo);
            String diagnostic = record.diagnostic();
            String reason = diagnostic;
            if (recipient == null || diagnostic == null || diagnostic.length() < 12) {
                // a report without a usable address or reason: the human-readable part may say
                if (fromText == null) {
                    fromText = TextBounces.failures(message.parts());
                }
                FailedRecipients.Failure failure = pick(fromText, recipient, bounces.size() == 1);
                if (recipient == null && failure != null) {
                    recipient = failure.address();
                }
                if (recipient == null && bounces.size() == 1 && !returnedTo.isEmpty()) {
                    recipient = returnedTo.iterator().next();
                }
                String textReason = failure != null ? failure.reason() : message.readableReason();
                String evidence = textReason;
                if (failure != null && bounces.size() == 1) {
                    // one failed recipient: the whole text is about it, as in a bounce without a
                    // report ("The user's account is disabled." above "<jan@…>: 550 user unknown");
                    // the diagnostic stays the address's own lines
                    evidence = TextBounces.withoutQuotedHeaders(
                            TextBounces.reasonFirst(failure.reason(), message.readableReason()));
                }
                reason = diagnostic == null ? evidence : diagnostic + "\n" + evidence;
                if (diagnostic == null && failure != null) {
                    diagnostic = ParsedMessage.saysMoreThan(ParsedMessage.compact(textReason), recipient);
                }
            }
            String status = specificStatus(record.status(), reason);
            boolean hard = "failed".equals(record.action()) && isHard(status, reason)
                    && !refusesTheSender(record.diagnostic(), recipient, message);
            String reported = record.finalRecipient() != null && !FailedRecipients.isOurs(record.finalRecipient())
                    ? record.finalRecipient() : recipient;
            entries.add(message.bounce(reported, recipient, status, record.action(), hard, diagnostic,
                    entries.size()));
        }
        return entries;
    }

    /**
     * A failed record with a temporary address status is one the reporter gave up retrying ("450
     * 4.1.1 user unknown" until it expired): final, so weighed as the permanent reply it has
     * become. Other temporary statuses (4.0.0 DNS or network errors, 4.4.x) stay soft: their
     * wording ("host not found") is often a passing fault.
     */
    private static boolean isHard(String status, String reason) {
        int code = SmtpReplies.code(reason);
        if (Replies.isHard(code, status, reason)) {
            return true;
        }
        return status != null && status.startsWith("4.1.")
                && Replies.isHard(code / 100 == 4 ? code + 100 : code, "5" + status.substring(1), reason);
    }

    /**
     * True when the remote reply in the diagnostic is about the original's sender, not the
     * recipient: it names our envelope sender or From address ("550 5.7.1 &lt;bounces@…&gt;...
     * Access denied", a refused MAIL FROM) and not the recipient. Whatever its status or wording
     * ("unknown address"), it says nothing about the recipient's address.
     */
    private static boolean refusesTheSender(String diagnostic, String recipient, ParsedMessage message) {
        if (diagnostic == null) {
            return false;
        }
        boolean sender = false;
        Set<String> senders = message.returnedSenders();
        for (Addresses.Found found : Addresses.findAll(diagnostic)) {
            String address = found.normalized();
            if (address.equals(recipient)) {
                return false;
            }
            sender |= senders.contains(address) || FailedRecipients.isOurs(address);
        }
        return sender;
    }

    /**
     * The address we sent to: whichever of Original- and Final-Recipient the returned original was
     * addressed to, else the original one (an alias or forwarding source is the address in our
     * list), else the final one.
     */
    private static String chooseRecipient(DeliveryStatus record, Set<String> returnedTo) {
        String original = record.originalRecipient();
        String fin = record.finalRecipient();
        if (original != null && returnedTo.contains(original)) {
            return original;
        }
        if (fin != null && returnedTo.contains(fin)) {
            return fin;
        }
        return original != null && !FailedRecipients.isOurs(original) ? original : fin;
    }

    /** A generic Status (5.0.0, or none) gives way to a specific one of the same class in the text. */
    private static String specificStatus(String status, String reason) {
        if (!SmtpReplies.isGeneric(status)) {
            return status;
        }
        String specific = SmtpReplies.status(reason);
        return specific != null && (status == null || specific.charAt(0) == status.charAt(0)) ? specific : status;
    }

    private static FailedRecipients.Failure pick(List<FailedRecipients.Failure> failures, String recipient,
                                                 boolean onlyOne) {
        for (FailedRecipients.Failure failure : failures) {
            if (failure.address().equals(recipient)) {
                return failure;
            }
        }
        return recipient == null && onlyOne && !failures.isEmpty() ? failures.get(0) : null;
    }
}
