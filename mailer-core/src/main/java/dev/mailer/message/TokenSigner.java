package dev.mailer.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a {@link Token} into a short, URL-safe, signed string and back (SPEC §7: tokens in links
 * and addresses are signed and unguessable).
 *
 * <p>Format (version 2), base64url without padding over:
 * <pre>
 *   header byte      version (high 4 bits) | kind (low 4 bits)
 *   varint           campaign id
 *   varint           contact id
 *   6 bytes          the person ({@link Token#personOf}: a hash of the normalized address)
 *   zigzag varint    issued epoch day minus {@link #DAY_BASE} (2 bytes until about 2047)
 *   UTF-8 bytes      purpose, to the end of the payload (absent when there is none)
 *   16 bytes         HMAC-SHA256 over everything above, truncated
 * </pre>
 * Version 1, which lacked the person, is still read (and written for a token without one), so
 * links in mail sent before still work where {@link Token#madeFor} accepts them. Version and
 * kind share one byte and the day is stored relative to 2025 so that a bounce or unsubscribe
 * token for 10-digit ids stays within 48 characters: {@code bounces+TOKEN@domain} and
 * {@code unsubscribe+TOKEN@domain} must keep their local part within 64 octets, which holds
 * for ids below 2^42.
 *
 * <p>The HMAC key is derived from the secret for this use only, so the same secret can key other
 * things without one's output being valid as another's. Verification compares the tag in
 * constant time, accepts only the canonical encoding (one string per token) and never throws.
 *
 * <p>Thread-safe: one instance may sign and verify from many threads.
 */
public final class TokenSigner {

    /** The shortest secret accepted, in bytes. */
    public static final int MIN_SECRET_BYTES = 32;
    /** Longer input is rejected before any decoding. */
    public static final int MAX_TOKEN_CHARS = 512;
    /** The longest purpose that can be signed, in UTF-8 bytes. */
    public static final int MAX_PURPOSE_BYTES = 256;

    static final int VERSION = 2;
    static final int VERSION_WITHOUT_PERSON = 1;
    static final int TAG_BYTES = 16;
    /** 2025-01-01 as an epoch day: days are stored relative to it to keep tokens short. */
    static final long DAY_BASE = 20089;

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] KEY_LABEL = "dev.mailer token key v1".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    /**
     * @param secret at least {@value #MIN_SECRET_BYTES} bytes (see {@link Secrets#load}); not kept
     * @throws IllegalArgumentException for a shorter secret
     */
    public TokenSigner(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the token secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        try {
            Mac derive = Mac.getInstance(ALGORITHM);
            derive.init(new SecretKeySpec(secret, ALGORITHM));
            this.key = new SecretKeySpec(derive.doFinal(KEY_LABEL), ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime lacks HmacSHA256", e);
        }
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime lacks HmacSHA256", e);
        }
    }

    /**
     * @return the token as {@code [A-Za-z0-9_-]+}
     * @throws IllegalArgumentException when the purpose is longer than {@value #MAX_PURPOSE_BYTES}
     *                                  UTF-8 bytes
     */
    public String sign(Token token) {
        Objects.requireNonNull(token, "token");
        byte[] purpose = token.purpose() == null ? new byte[0] : token.purpose().getBytes(StandardCharsets.UTF_8);
        if (purpose.length > MAX_PURPOSE_BYTES) {
            throw new IllegalArgumentException("a token purpose may have at most " + MAX_PURPOSE_BYTES + " bytes");
        }
        byte[] out = new byte[1 + 3 * 10 + Token.PERSON_BYTES + purpose.length + TAG_BYTES];
        int n = 0;
        boolean person = token.person() != 0;
        out[n++] = (byte) ((person ? VERSION : VERSION_WITHOUT_PERSON) << 4 | token.kind().code);
        n = putVarint(out, n, token.campaignId());
        n = putVarint(out, n, token.contactId());
        if (person) {
            for (int shift = 8 * (Token.PERSON_BYTES - 1); shift >= 0; shift -= 8) {
                out[n++] = (byte) (token.person() >>> shift);
            }
        }
        long day = token.issuedEpochDay() - DAY_BASE;
        n = putVarint(out, n, (day << 1) ^ (day >> 63));
        System.arraycopy(purpose, 0, out, n, purpose.length);
        n += purpose.length;
        Mac mac = macs.get();
        mac.update(out, 0, n);
        byte[] tag = mac.doFinal();
        System.arraycopy(tag, 0, out, n, TAG_BYTES);
        n += TAG_BYTES;
        return ENCODER.encodeToString(Arrays.copyOf(out, n));
    }

    /**
     * @return the token, or empty for anything that is not a token this signer made: tampered,
     *         truncated, padded, malformed, too long, or signed with another secret
     */
    public Optional<Token> verify(String text) {
        try {
            return Optional.ofNullable(decode(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** As {@link #verify(String)}, and also empty when the token is of another kind. */
    public Optional<Token> verify(String text, Token.Kind expected) {
        Objects.requireNonNull(expected, "expected");
        return verify(text).filter(t -> t.kind() == expected);
    }

    /**
     * Whether the text has the shape of a token of this format (version, kind, length), whoever
     * signed it. Tells "a token that does not verify" (forged, tampered, or another installation's
     * secret) apart from a plus-address tag that was never meant to be a token. Never throws.
     */
    public static boolean hasTokenShape(String text) {
        if (text == null || text.length() > MAX_TOKEN_CHARS || text.length() % 4 == 1
                || !text.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                        || c == '-' || c == '_')) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
        // header byte, three varints of at least one byte each, the tag
        if (bytes.length < 4 + TAG_BYTES) {
            return false;
        }
        int header = bytes[0] & 0xff;
        return isVersion(header >>> 4) && Token.Kind.ofCode(header & 0x0f) != null;
    }

    private Token decode(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_TOKEN_CHARS || text.length() % 4 == 1) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
            if (!ok) {
                return null;
            }
        }
        byte[] bytes = DECODER.decode(text);
        // the last character may carry unused bits: accept only the one canonical spelling
        if (!ENCODER.encodeToString(bytes).equals(text)) {
            return null;
        }
        int payloadLength = bytes.length - TAG_BYTES;
        if (payloadLength < 4) {
            return null;
        }
        Mac mac = macs.get();
        mac.update(bytes, 0, payloadLength);
        byte[] expected = Arrays.copyOf(mac.doFinal(), TAG_BYTES);
        byte[] given = Arrays.copyOfRange(bytes, payloadLength, bytes.length);
        if (!MessageDigest.isEqual(expected, given)) {
            return null;
        }

        int header = bytes[0] & 0xff;
        Token.Kind kind = Token.Kind.ofCode(header & 0x0f);
        if (!isVersion(header >>> 4) || kind == null) {
            return null;
        }
        int[] pos = {1};
        long campaignId = getVarint(bytes, pos, payloadLength);
        long contactId = getVarint(bytes, pos, payloadLength);
        long person = 0;
        if (header >>> 4 == VERSION) {
            if (pos[0] + Token.PERSON_BYTES > payloadLength) {
                return null;
            }
            for (int i = 0; i < Token.PERSON_BYTES; i++) {
                person = person << 8 | (bytes[pos[0]++] & 0xff);
            }
            if (person == 0) {
                return null;
            }
        }
        long zigzag = getVarint(bytes, pos, payloadLength);
        long day = (zigzag >>> 1) ^ -(zigzag & 1);
        String purpose = null;
        if (pos[0] < payloadLength) {
            try {
                purpose = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, pos[0], payloadLength - pos[0]))
                        .toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
        return new Token(kind, campaignId, contactId, purpose, day + DAY_BASE, person);
    }

    private static boolean isVersion(int version) {
        return version == VERSION || version == VERSION_WITHOUT_PERSON;
    }

    private static int putVarint(byte[] out, int n, long value) {
        while ((value & ~0x7fL) != 0) {
            out[n++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out[n++] = (byte) value;
        return n;
    }

    /** Reads a varint at pos[0], not past end; throws for a truncated or over-long one. */
    private static long getVarint(byte[] in, int[] pos, int end) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= end) {
                throw new IllegalArgumentException("truncated");
            }
            int b = in[pos[0]++] & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }
}
