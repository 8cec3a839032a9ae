package dev.mailer.suppression;

import java.util.Locale;

/** Why an address is on the suppression list; stored by its lower-case name. */
public enum SuppressionReason {
    /** an operator's block ({@code suppress add}) */
    MANUAL,
    /** a hard bounce, or too many soft ones */
    BOUNCED,
    /** a spam complaint */
    COMPLAINT,
    /** erased at the person's request: only the hash is kept, for good */
    ERASED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SuppressionReason ofCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
