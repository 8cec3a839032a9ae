package dev.mailer.message;

import java.util.Objects;

/**
 * What a signed token says (SPEC §7): which campaign and contact a link or an address belongs
 * to, what it is for, and on which day it was issued. {@link TokenSigner} turns it into a short
 * URL-safe string and back.
 *
 * @param kind           what the token may be used for; a token of one kind is never accepted as
 *                       another
 * @param campaignId     the campaign's id, 0 where there is none (a double opt-in confirmation)
 * @param contactId      the contact's id
 * @param purpose        an optional free text (e.g. a consent purpose), {@code null} when absent;
 *                       an empty string is the same as absent
 * @param issuedEpochDay the day the token was issued, as {@link java.time.LocalDate#toEpochDay()}
 */
public record Token(Kind kind, long campaignId, long contactId, String purpose, long issuedEpochDay) {

    /** What a token is for. The numbers are part of the token format: never reorder or reuse. */
    public enum Kind {
        UNSUBSCRIBE(1), BOUNCE(2), CONFIRM(3);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    public Token {
        Objects.requireNonNull(kind, "kind");
        if (campaignId < 0 || contactId < 0) {
            throw new IllegalArgumentException("token ids must not be negative");
        }
        if (purpose != null && purpose.isEmpty()) {
            purpose = null;
        }
    }
}
