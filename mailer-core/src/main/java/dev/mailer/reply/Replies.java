package dev.mailer.reply;

import java.util.Locale;
import java.util.Optional;

/**
 * The one classification of refusals (SPEC §6a), for SMTP replies at send time and for bounces
 * read later alike: first whether the relay or provider refuses the sender or asks to slow down
 * ({@link SenderWording}), else the recipient's fault, hard or soft ({@link RecipientWording}),
 * with its reason. Multi-line replies are read whole: the text is every line of the reply.
 */
public final class Replies {
    private static final Phrases EXPIRED = Phrases.of("expired", "retry time", "timeout", "timed out",
            "delivery time", "too long", "given up", "giving up");
    private static final Phrases POLICY = Phrases.of("policy", "relay", "not permitted", "not allowed", "prohibited",
            "denied", "rejected");

    private Replies() {
    }

    /**
     * @param code           the SMTP reply code; 0 when unknown (a bounce without one)
     * @param enhancedStatus RFC 3463 status such as 5.1.1, or null
     * @param text           the reply or diagnostic text, all of its lines
     */
    public static ReplyVerdict classify(int code, String enhancedStatus, String text) {
        String status = enhancedStatus == null || enhancedStatus.isBlank() ? null : enhancedStatus.strip();
        Optional<ReplyVerdict> sender = SenderWording.match(status, text);
        if (sender.isPresent()) {
            return sender.get();
        }
        boolean hard = RecipientWording.isHard(code, status, text);
        return new ReplyVerdict(Fault.RECIPIENT, recipientReason(hard, code, status, text), hard, null, null, false, null);
    }

    /** Whether the address itself is permanently undeliverable: {@code classify(…).hard()}. */
    public static boolean isHard(int code, String enhancedStatus, String text) {
        return classify(code, enhancedStatus, text).hard();
    }

    private static Reason recipientReason(boolean hard, int code, String status, String text) {
        String lower = text == null ? "" : text.toLowerCase(Locale.ROOT);
        if (hard) {
            boolean host = status != null && (status.equals("5.1.2") || status.equals("5.4.4")
                    || status.equals("5.1.10"));
            return host || RecipientWording.NO_SUCH_HOST.in(lower) ? Reason.HOST_UNKNOWN : Reason.USER_UNKNOWN;
        }
        if ("5.2.2".equals(status) || "4.2.2".equals(status) || RecipientWording.MAILBOX_FULL.in(lower)) {
            return Reason.MAILBOX_FULL;
        }
        if ("5.2.1".equals(status) || RecipientWording.MAILBOX_DISABLED.in(lower)) {
            return Reason.MAILBOX_DISABLED;
        }
        if ("4.4.7".equals(status) || "5.4.7".equals(status) || EXPIRED.in(lower)) {
            return Reason.EXPIRED;
        }
        if (status != null && status.startsWith("5.7.") || POLICY.in(lower)) {
            return Reason.POLICY;
        }
        return Reason.OTHER;
    }
}
