package dev.mailer.campaign;

/**
 * Something the relay or a provider said that the person must act on (SPEC §6a {@code warnings}).
 *
 * @param code   {@code sender_fault}, {@code rate_limited} or {@code relay}
 * @param domain the recipients' domain it came from; null when it is the relay's, for everyone
 * @param count  rows it concerns
 * @param reply  the relay's or provider's own words
 * @param hint   what to check, or null
 */
public record SendWarning(String code, String domain, long count, String reply, String hint) {
    public static final String SENDER_FAULT = "sender_fault";
    public static final String RATE_LIMITED = "rate_limited";

    /** A dry run's warning about who would be mailed, not a relay's or provider's reply. */
    public boolean aboutTheAudience() {
        return AudienceWarnings.CODES.contains(code);
    }
}
