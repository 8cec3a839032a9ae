package dev.mailer.message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * What a signed token says (SPEC §7): which campaign and contact a link or an address belongs
 * to, what it is for, and on which day it was issued. {@link TokenSigner} turns it into a short
 * URL-safe string and back.
 *
 * @param kind           what the token may be used for; a token of one kind is never accepted as
 *                       another
 * @param campaignId     the campaign's id, 0 where there is none; in a {@link Kind#CONFIRM} token
 *                       the double opt-in request's id ({@link #requestId}), 0 in links made
 *                       before requests were stored
 * @param contactId      the contact's id
 * @param purpose        an optional free text (e.g. a consent purpose), {@code null} when absent;
 *                       an empty string is the same as absent
 * @param issuedEpochDay the day the token was issued, as {@link java.time.LocalDate#toEpochDay()}
 * @param person         who the token was made for: 48 bits of a hash of the normalized address
 *                       ({@link #personOf}); 0 in a token of format version 1, which named only a
 *                       contact id. Ids are row numbers: the same id is somebody else in a rebuilt,
 *                       restored or staging database that shares the secret; the address is not.
 */
public record Token(Kind kind, long campaignId, long contactId, String purpose, long issuedEpochDay, long person) {

    /** The bits of {@link #personOf} kept: a collision among one list's people is 1 in 2^48 per pair. */
    static final int PERSON_BYTES = 6;
    private static final byte[] PERSON_LABEL = "dev.mailer token person v1\0".getBytes(StandardCharsets.US_ASCII);

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
        if (person < 0 || person >>> (8 * PERSON_BYTES) != 0) {
            throw new IllegalArgumentException("a token's person is " + PERSON_BYTES + " bytes");
        }
        if (purpose != null && purpose.isEmpty()) {
            purpose = null;
        }
    }

    /** A token for the person at {@code emailNormalized} (contact {@code contactId} in this database). */
    public Token(Kind kind, long campaignId, long contactId, String purpose, long issuedEpochDay,
                 String emailNormalized) {
        this(kind, campaignId, contactId, purpose, issuedEpochDay, personOf(emailNormalized));
    }

    /** A token that names no person, as tokens of format version 1 did. */
    public Token(Kind kind, long campaignId, long contactId, String purpose, long issuedEpochDay) {
        this(kind, campaignId, contactId, purpose, issuedEpochDay, 0L);
    }

    /**
     * The person part of a token for this normalized address. Not secret: the token's signature
     * protects it; it lets a token be checked against the contact its id finds today.
     */
    public static long personOf(String emailNormalized) {
        Objects.requireNonNull(emailNormalized, "emailNormalized");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(PERSON_LABEL);
            byte[] digest = sha.digest(emailNormalized.getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < PERSON_BYTES; i++) {
                value = value << 8 | (digest[i] & 0xff);
            }
            return value == 0 ? 1 : value; // 0 means "no person"
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime lacks SHA-256", e);
        }
    }

    /**
     * Whether this verified token was made for the contact its id names today: the one rule every
     * endpoint and the feedback recorder apply before acting on a token. A token naming its person
     * must name this address (compared in constant time). A version-1 token, made before tokens
     * named people, still works where it still fits: the contact existed on the day it was issued
     * (a rebuilt or re-imported database creates its contacts after every old token).
     */
    public boolean madeFor(String emailNormalized, OffsetDateTime contactCreated) {
        if (person != 0) {
            long other = emailNormalized == null ? 0 : personOf(emailNormalized);
            return MessageDigest.isEqual(bytes(person), bytes(other));
        }
        // a day of slack: the token's day is the sender's local date
        return contactCreated != null
                && contactCreated.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate().toEpochDay() <= issuedEpochDay + 1;
    }

    /** The double opt-in request a confirmation token stands for; 0 for a link of the older kind. */
    public long requestId() {
        if (kind != Kind.CONFIRM) {
            throw new IllegalStateException("only a confirmation token names a request");
        }
        return campaignId;
    }

    private static byte[] bytes(long value) {
        byte[] out = new byte[PERSON_BYTES];
        for (int i = PERSON_BYTES - 1; i >= 0; i--) {
            out[i] = (byte) value;
            value >>>= 8;
        }
        return out;
    }
}
