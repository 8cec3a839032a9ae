package dev.mailer.error;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * %XX escapes of the user information in URLs (RFC 3986, UTF-8), where passwords stand: one
 * reading for relay, mailbox and database URLs and for the secret mask. {@code +} is a plus here,
 * never a space.
 */
public final class PercentEncoding {
    /** Characters a user name or password may hold as they are; sub-delims as RFC 3986 allows, ',' aside. */
    private static final String PLAIN = "-._~!$&'()*+;=";

    private PercentEncoding() {
    }

    /** The text with its escapes decoded; empty when a '%' is not followed by two hex digits. */
    public static Optional<String> decode(String text) {
        if (text.indexOf('%') < 0) {
            return Optional.of(text);
        }
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != '%') {
                out.write(raw[i]);
                continue;
            }
            int hi = i + 2 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
            int lo = i + 2 < raw.length ? Character.digit(raw[i + 2], 16) : -1;
            if (hi < 0 || lo < 0) {
                return Optional.empty();
            }
            out.write(hi * 16 + lo);
            i += 2;
        }
        return Optional.of(out.toString(StandardCharsets.UTF_8));
    }

    /** As {@link #decode}, a '%' not followed by two hex digits left as it is (for text that is only looked at). */
    public static String decodeLenient(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            int hi = raw[i] == '%' && i + 2 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(raw[i + 2], 16);
            if (lo >= 0) {
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(raw[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The form the text takes in a URL's user information.
     *
     * @param commaPlain whether ',' stays as it is (as relay URLs are shown) or becomes %2C (as it is
     *                   written inside a comma-separated list of URLs)
     */
    public static String encode(String text, boolean commaPlain) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || PLAIN.indexOf(c) >= 0 || commaPlain && c == ',';
            if (plain) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }
}
