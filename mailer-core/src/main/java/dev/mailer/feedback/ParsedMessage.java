package dev.mailer.feedback;

import dev.mailer.message.Token;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * One feedback message as the readers see it: its parts, the key that identifies it, and the
 * verified token (if any) that names its campaign and contact. Makes the entries, so that every
 * entry of a message carries the same campaign, contact and key prefix.
 *
 * @param parts    the message's readable text, reports and returned headers; null for an SES
 *                 notification that Amazon SNS posted to a webhook (no mail to read)
 * @param key      the Message-ID, else a hash of the bytes
 * @param token    a verified bounce or unsubscribe token, or null
 * @param tokenText the token as it appeared in the message, or null
 */
record ParsedMessage(MessageParts parts, String key, Token token, String tokenText) {
    private static final int TEXT_REASON_CHARS = 2000;

    Long campaignId() {
        return token == null ? null : token.campaignId();
    }

    Long contactId() {
        return token == null ? null : token.contactId();
    }

    Feedback unknown() {
        return new Feedback(FeedbackType.UNKNOWN, null, null, null, false, null, campaignId(), contactId(), key)
                .withToken(token);
    }

    /** A bounce entry; {@code index} tells entries apart when the recipient is not known. */
    Feedback bounce(String recipient, String status, String action, boolean hard, String diagnostic, int index) {
        return bounce(recipient, recipient, status, action, hard, diagnostic, index);
    }

    /**
     * A bounce entry about {@code recipient}, the address the report names, for the message we sent
     * to {@code sentTo} (the same, or the alias it was expanded from). The entry is known by the
     * address we mailed, as it always was, so that reading a message again records nothing new.
     */
    Feedback bounce(String recipient, String sentTo, String status, String action, boolean hard, String diagnostic,
                    int index) {
        String known = sentTo != null ? sentTo : recipient;
        return new Feedback(FeedbackType.BOUNCE, recipient, status, action, hard, diagnostic, campaignId(),
                contactId(), key + "#" + (known != null ? known : "recipient-" + index)).sentTo(sentTo).withToken(token);
    }

    /** The addresses the returned original was sent to (To, Cc), ours left out. */
    Set<String> returnedRecipients() {
        Set<String> recipients = new LinkedHashSet<>();
        for (String name : new String[] {"To", "Cc"}) {
            String value = parts.returnedHeader(name);
            if (value != null) {
                for (Addresses.Found found : Addresses.findAll(value)) {
                    if (!FailedRecipients.isOurs(found.normalized()) && !Addresses.isSystem(found.normalized())) {
                        recipients.add(found.normalized());
                    }
                }
            }
        }
        return recipients;
    }

    /** The addresses the returned original was sent from (Return-Path, From, Sender): ours. */
    Set<String> returnedSenders() {
        Set<String> senders = new LinkedHashSet<>();
        for (String name : new String[] {"Return-Path", "From", "Sender"}) {
            String value = parts.returnedHeader(name);
            if (value != null) {
                for (Addresses.Found found : Addresses.findAll(value)) {
                    senders.add(found.normalized());
                }
            }
        }
        return senders;
    }

    /** The start of the readable text, as the reason when nothing more specific is found. */
    String readableReason() {
        String text = parts.readable();
        return text.length() > TEXT_REASON_CHARS ? text.substring(0, TEXT_REASON_CHARS) : text;
    }

    /** Whitespace collapsed, for a one-line diagnostic. */
    static String compact(String text) {
        if (text == null) {
            return null;
        }
        String limited = text.length() > Feedback.MAX_DIAGNOSTIC * 2 ? text.substring(0, Feedback.MAX_DIAGNOSTIC * 2) : text;
        return limited.replaceAll("\\s+", " ").strip();
    }

    /** The text, or null when it names only the address and no reason. */
    static String saysMoreThan(String text, String address) {
        if (text == null) {
            return null;
        }
        String rest = address == null ? text : text.toLowerCase(Locale.ROOT).replace(address, "");
        return rest.chars().filter(Character::isLetter).count() < 3 ? null : text;
    }
}
