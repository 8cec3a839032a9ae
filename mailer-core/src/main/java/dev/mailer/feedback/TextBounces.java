package dev.mailer.feedback;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Bounces without a delivery-status part: the failed addresses and reasons are read from the text. */
final class TextBounces {
    /** The bounce's own headers: they name us and the reporting system, never the failed address. */
    private static final String[] OWN_HEADERS = {"From", "To", "Cc", "Delivered-To", "X-Original-To", "Return-Path",
        "Reply-To", "Sender", "Envelope-To"};
    /** The returned original's sender headers: us again. */
    private static final String[] RETURNED_SENDER_HEADERS = {"From", "Sender", "Return-Path", "Reply-To"};

    private TextBounces() {
    }

    /**
     * @param strongSigns the message is surely a bounce (mailer-daemon sender, failure subject):
     *                    then a token alone is enough to report it, without a readable address
     * @return the bounces, or empty when the text names no failed address
     */
    static List<Feedback> read(ParsedMessage message, boolean strongSigns) {
        MessageParts parts = message.parts();
        List<FailedRecipients.Failure> failures = failures(parts);
        if (failures.isEmpty()) {
            Set<String> returnedTo = message.returnedRecipients();
            if (!returnedTo.isEmpty()) {
                failures = List.of(new FailedRecipients.Failure(returnedTo.iterator().next(), message.readableReason()));
            } else if (strongSigns && message.token() != null) {
                // a bounce we cannot read, but the VERP token says whose it is
                failures = List.of(new FailedRecipients.Failure(null, message.readableReason()));
            } else {
                return List.of();
            }
        }
        boolean delayed = BounceSigns.delayed(parts);
        List<Feedback> entries = new ArrayList<>();
        for (FailedRecipients.Failure failure : failures) {
            String reason = failure.reason();
            String status = SmtpReplies.status(reason);
            boolean hard = !delayed && BounceClassifier.isHard(SmtpReplies.code(reason), status, reason);
            entries.add(message.bounce(failure.address(), status, delayed ? "delayed" : "failed", hard,
                    ParsedMessage.compact(reason), entries.size()));
        }
        return entries;
    }

    /** The failed addresses the readable text names, with the reason given for each. */
    static List<FailedRecipients.Failure> failures(MessageParts parts) {
        Set<String> ignored = new LinkedHashSet<>();
        for (String name : OWN_HEADERS) {
            addAll(ignored, parts.header(name));
        }
        for (String name : RETURNED_SENDER_HEADERS) {
            addAll(ignored, parts.returnedHeader(name));
        }
        List<String> announced = new ArrayList<>();
        addAll(announced, parts.header("X-Failed-Recipients"));
        return FailedRecipients.find(parts.readable(), ignored, announced);
    }

    private static void addAll(java.util.Collection<String> target, String headerValue) {
        if (headerValue != null) {
            for (Addresses.Found found : Addresses.findAll(headerValue)) {
                target.add(found.normalized());
            }
        }
    }
}
