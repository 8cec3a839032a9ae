package dev.mailer.feedback;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hard or soft? Hard only when the address itself is permanently undeliverable: unknown user,
 * no such domain or host, address moved, domain that accepts no mail. Everything else (mailbox
 * full or disabled, content, spam or policy, relay denied, too large) is soft: repeated soft
 * bounces reach suppression through a threshold, a single one does not.
 */
public final class BounceClassifier {
    private static final Pattern HARD_STATUS = Pattern.compile("5\\.1\\.(1|2|3|6|10)");
    private static final Pattern HARD_TEXT = Pattern.compile(
            "user unknown|unknown user|no such user|user not found|does not exist|doesn't exist|unknown recipient"
                    + "|recipient unknown|invalid recipient|no mailbox|mailbox not found|mailbox unavailable"
                    + "|address rejected: user|no such domain|domain not found|host not found|null mx"
                    + "|does not accept mail|account (has been )?(disabled|deleted|removed)|unrouteable address");
    private static final Pattern SOFT_TEXT = Pattern.compile(
            "quota|full|over ?limit|too (large|big)|spam|policy|blocked|blacklist|listed|reputation|rate|greylist"
                    + "|temporar|try again|relay|not permitted");

    private BounceClassifier() {
    }

    /**
     * @param code           the SMTP reply code (5xx); 0 when unknown
     * @param enhancedStatus RFC 3463 status such as 5.1.1, or null
     * @param text           the reply or diagnostic text
     */
    public static boolean isHard(int code, String enhancedStatus, String text) {
        if (code != 0 && code < 500) {
            return false;
        }
        if (enhancedStatus != null && !enhancedStatus.startsWith("5.")) {
            return false;
        }
        if (enhancedStatus != null && HARD_STATUS.matcher(enhancedStatus).matches()) {
            return true;
        }
        String lower = text == null ? "" : text.toLowerCase(Locale.ROOT);
        if (enhancedStatus != null && !enhancedStatus.startsWith("5.0.") && !enhancedStatus.startsWith("5.5.")) {
            return false; // a specific non-address status (5.2.2 mailbox full, 5.7.1 policy …) is soft
        }
        return HARD_TEXT.matcher(lower).find() && !SOFT_TEXT.matcher(lower).find();
    }
}
