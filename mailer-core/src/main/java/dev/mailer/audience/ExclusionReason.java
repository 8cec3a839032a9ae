package dev.mailer.audience;

/**
 * Why a contact is not mailed, in the order the consent gate checks (SPEC §6): a contact's
 * reason is the first rule it fails.
 */
public enum ExclusionReason {
    INVALID_ADDRESS("invalid_address"),
    SUPPRESSED_UNSUBSCRIBED("suppressed_unsubscribed"),
    SUPPRESSED_BOUNCED("suppressed_bounced"),
    SUPPRESSED_COMPLAINT("suppressed_complaint"),
    SUPPRESSED_MANUAL("suppressed_manual"),
    NO_CONSENT("no_consent"),
    CONSENT_WITHDRAWN("consent_withdrawn"),
    UNCONFIRMED("unconfirmed"),
    CONSENT_EXPIRED("consent_expired"),
    MINOR_WITHOUT_PARENTAL_CONSENT("minor_without_parental_consent"),
    ALREADY_SENT("already_sent");

    private final String code;

    ExclusionReason(String code) {
        this.code = code;
    }

    /** The reason code scripts see. */
    public String code() {
        return code;
    }

    /**
     * Whether this reason forbids every message to the person, whatever its purpose (a double
     * opt-in request included): the address itself, "nothing at all", and the suppressions.
     */
    public boolean blocksEveryMessage() {
        return compareTo(SUPPRESSED_MANUAL) <= 0;
    }

    public static ExclusionReason ofCode(String code) {
        for (ExclusionReason reason : values()) {
            if (reason.code.equals(code)) {
                return reason;
            }
        }
        throw new IllegalArgumentException("unknown reason code " + code);
    }
}
