package dev.mailer.feedback;

import dev.mailer.reply.Replies;
import dev.mailer.reply.ReplyVerdict;
import dev.mailer.message.Token;

/**
 * One event found in a feedback message: one failed recipient of a delivery report, one
 * complaint, one unsubscribe request, or one message that is none of these.
 *
 * @param type        what happened
 * @param recipient   the address the event is about, normalized (lower case, ASCII domain); null
 *                    when the message does not say
 * @param status      the RFC 3463 status such as {@code 5.1.1}, or null
 * @param action      the RFC 3464 action ({@code failed}, {@code delayed}), or null
 * @param hard        true only for a bounce whose address is permanently undeliverable
 * @param diagnostic  the remote server's reason, trimmed to at most {@value #MAX_DIAGNOSTIC}
 *                    characters, or null
 * @param campaignId  from a signed token in the message, or null when none verifies
 * @param contactId   from a signed token in the message, or null when none verifies
 * @param sourceKey   identifies this event so that it is recorded exactly once however often
 *                    the message is read
 * @param purpose     the consent purpose a verified unsubscribe token names (that of a double
 *                    opt-in message), or null: then the campaign's purpose applies
 * @param tokenDoesNotVerify the message carries something shaped like one of our tokens, but none
 *                    verifies: forged, tampered, or signed with another secret. Then the recipient
 *                    it names is only trusted if we mailed them (see {@link FeedbackRecorder}).
 * @param sentTo      the address the original was sent to when the report is about another one
 *                    (an alias expanded or a message forwarded: Original- and Final-Recipient
 *                    differ), else null. The report's own {@code recipient} is what it says failed;
 *                    our list knows the person by the address we mailed.
 * @param token       the verified token campaign and contact were read from, or null (then the
 *                    ids were given by our own records, as for SMTP replies at send time)
 * @param reportedBy  the sending provider that reported it to a webhook of {@code mailer serve}
 *                    (e.g. {@code Mailgun}) after its request proved where it came from: then the
 *                    provider vouches for the address, also for an unsubscribe without our token.
 *                    Null for feedback read from mail, where only a signed token says who asked.
 */
public record Feedback(FeedbackType type, String recipient, String status, String action, boolean hard,
                       String diagnostic, Long campaignId, Long contactId, String sourceKey, String purpose,
                       boolean tokenDoesNotVerify, String sentTo, Token token, String reportedBy) {

    /** What the poll summary and {@code feedback parse} say about such a message (SPEC §7). */
    public static final String TOKEN_DOES_NOT_VERIFY = "token does not verify: not from us, or another secret";

    /** The longest diagnostic kept, in characters. */
    public static final int MAX_DIAGNOSTIC = 1000;

    public Feedback {
        if (type == null) {
            throw new IllegalArgumentException("type is required");
        }
        if (diagnostic != null) {
            diagnostic = diagnostic.strip();
            if (diagnostic.isEmpty()) {
                diagnostic = null;
            } else if (diagnostic.length() > MAX_DIAGNOSTIC) {
                diagnostic = diagnostic.substring(0, MAX_DIAGNOSTIC).strip();
            }
        }
    }

    /**
     * Whose fault a bounce is, and why (SPEC §6a, §7), from its status and the remote server's
     * words; null for anything but a bounce.
     */
    public ReplyVerdict verdict() {
        return type == FeedbackType.BOUNCE ? Replies.classify(SmtpReplies.code(diagnostic), status, diagnostic) : null;
    }

    /** Feedback read from mail (or an SMTP reply): no provider reported it. */
    public Feedback(FeedbackType type, String recipient, String status, String action, boolean hard,
                    String diagnostic, Long campaignId, Long contactId, String sourceKey, String purpose,
                    boolean tokenDoesNotVerify, String sentTo, Token token) {
        this(type, recipient, status, action, hard, diagnostic, campaignId, contactId, sourceKey, purpose,
                tokenDoesNotVerify, sentTo, token, null);
    }

    /** Feedback whose token verified, or that carries none. */
    public Feedback(FeedbackType type, String recipient, String status, String action, boolean hard,
                    String diagnostic, Long campaignId, Long contactId, String sourceKey, String purpose) {
        this(type, recipient, status, action, hard, diagnostic, campaignId, contactId, sourceKey, purpose, false,
                null, null, null);
    }

    /** The same, marked as coming from a message whose token does not verify. */
    Feedback withTokenThatDoesNotVerify() {
        return new Feedback(type, recipient, status, action, hard, diagnostic, campaignId, contactId, sourceKey,
                purpose, true, sentTo, token, reportedBy);
    }

    /** The same, about an address other than the one we mailed ({@code address}); null or equal: none. */
    Feedback sentTo(String address) {
        String other = address == null || address.equals(recipient) ? null : address;
        return new Feedback(type, recipient, status, action, hard, diagnostic, campaignId, contactId, sourceKey,
                purpose, tokenDoesNotVerify, other, token, reportedBy);
    }

    /** The same, its campaign and contact read from this verified token (null: none). */
    Feedback withToken(Token verified) {
        return new Feedback(type, recipient, status, action, hard, diagnostic, campaignId, contactId, sourceKey,
                purpose, tokenDoesNotVerify, sentTo, verified, reportedBy);
    }

    /** The same, reported by this provider to a webhook whose request proved it came from there. */
    Feedback reportedBy(String provider) {
        return new Feedback(type, recipient, status, action, hard, diagnostic, campaignId, contactId, sourceKey,
                purpose, tokenDoesNotVerify, sentTo, token, provider);
    }

    /** The address our list knows the person by: the one we mailed, else the one the report names. */
    public String addressWeMailed() {
        return sentTo != null ? sentTo : recipient;
    }

    /** Whether this is bounce, complaint or unsubscribe feedback at all, rather than mail the parser did not recognise. */
    public boolean recognised() {
        return type != FeedbackType.UNKNOWN;
    }

    /** Feedback that names no purpose of its own: bounces, complaints, campaign unsubscribes. */
    public Feedback(FeedbackType type, String recipient, String status, String action, boolean hard,
                    String diagnostic, Long campaignId, Long contactId, String sourceKey) {
        this(type, recipient, status, action, hard, diagnostic, campaignId, contactId, sourceKey, null);
    }
}
