package dev.mailer.feedback;

import dev.mailer.reply.Replies;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Bounces without a delivery-status part: the failed addresses and reasons are read from the text. */
final class TextBounces {
    /** The bounce's own headers that name us, its receiver: never the failed address. */
    private static final String[] OUR_HEADERS = {"To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"};
    /** The bounce's own headers that name the reporting system: rarely the failed address. */
    private static final String[] REPORTER_HEADERS = {"From", "Return-Path", "Reply-To", "Sender"};
    /** The returned original's sender headers: us again. */
    private static final String[] RETURNED_SENDER_HEADERS = {"From", "Sender", "Return-Path", "Reply-To"};

    /** A quoted header field that only describes the message (trace, MIME, signatures), with its folded lines. */
    private static final Pattern QUOTED_HEADER = Pattern.compile(
            "(?im)^[ >]*(received|return-path|message-id|mime-version|content-[a-z-]+|dkim-signature"
                    + "|authentication-results|arc-[a-z-]+|x-[a-z0-9-]+|references|in-reply-to|thread-[a-z]+)"
                    + ":.*(\\r?\\n[ >]*[ \\t].*)*\\r?\\n?");

    /** How much of a bounce's text is weighed for its one failed address. */
    private static final int MAX_EVIDENCE = 8 * 1024;

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
            // with one failed address the whole text is about it, and some systems give the
            // reason before the address ("Could not be delivered because of 550 5.1.1 User
            // unknown. The following recipients were affected: …")
            String evidence = withoutQuotedHeaders(failures.size() == 1 ? reasonFirst(reason, parts.readable()) : reason);
            String status = SmtpReplies.status(evidence);
            boolean hard = !delayed && Replies.isHard(SmtpReplies.code(evidence), status, evidence);
            entries.add(message.bounce(failure.address(), status, delayed ? "delayed" : "failed", hard,
                    ParsedMessage.compact(reason), entries.size()));
        }
        return entries;
    }

    /**
     * Header lines a text quotes (a forwarded bounce's "Received: … (authenticated bits=0)", the
     * original's "Content-Type:") are no reason, and their words ("authenticated", "TLS") would
     * read as one.
     */
    static String withoutQuotedHeaders(String text) {
        return text == null ? null : QUOTED_HEADER.matcher(text).replaceAll("");
    }

    /** The address's own reason, then the rest of the text: its reply code and status come first. */
    static String reasonFirst(String reason, String wholeText) {
        if (wholeText.length() > MAX_EVIDENCE) {
            wholeText = wholeText.substring(0, MAX_EVIDENCE);
        }
        return reason == null || wholeText.startsWith(reason) ? wholeText : reason + "\n" + wholeText;
    }

    /** The failed addresses the readable text names, with the reason given for each. */
    static List<FailedRecipients.Failure> failures(MessageParts parts) {
        Set<String> ours = new LinkedHashSet<>();
        for (String name : OUR_HEADERS) {
            addAll(ours, parts.header(name));
        }
        for (String name : RETURNED_SENDER_HEADERS) {
            addAll(ours, parts.returnedHeader(name));
        }
        List<String> announced = new ArrayList<>();
        addAll(announced, parts.header("X-Failed-Recipients"));
        Set<String> ignored = new LinkedHashSet<>();
        for (String name : REPORTER_HEADERS) {
            addAll(ignored, parts.header(name));
        }
        // an address X-Failed-Recipients names is the failure even when the bounce's Reply-To
        // repeats it (some Exim setups point replies at the failed address); only ours never is
        ignored.removeAll(announced);
        ignored.addAll(ours);
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
