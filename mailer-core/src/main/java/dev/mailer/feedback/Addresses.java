package dev.mailer.feedback;

import dev.mailer.contacts.EmailAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finding e-mail addresses in free text. A hand-written scan rather than one regular expression:
 * it starts only at '@' signs and looks a bounded distance to either side, so its cost stays
 * linear however hostile the input (an address pattern run with {@code find()} over a long run
 * of letters without an '@' is quadratic).
 */
final class Addresses {
    private static final int MAX_LOCAL = 64;
    private static final int MAX_DOMAIN = 253;
    private static final String LOCAL_SPECIALS = "!#$%&'*+/=?^_`{|}~-.";
    /** Local parts of mail-system and role addresses: never the recipient of our mail. */
    private static final Pattern SYSTEM_LOCAL = Pattern.compile(
            "mailer[-_]?daemon|mail[-_]?daemon|postmaster|hostmaster|abuse|double-bounce|nobody|root"
                    + "|no-?reply|do-?not-?reply|mdaemon|mailerdaemon");

    /** One address found in text: where it starts and ends, and its normalized form. */
    record Found(int start, int end, String normalized) {
    }

    private Addresses() {
    }

    /** Every address in the text, in order of appearance (duplicates included). */
    static List<Found> findAll(CharSequence text) {
        List<Found> found = new ArrayList<>();
        int length = text.length();
        int from = 0;
        for (int at = indexOf(text, '@', 0); at >= 0; at = indexOf(text, '@', Math.max(at + 1, from))) {
            int start = at;
            while (start > 0 && at - start < MAX_LOCAL && isLocalChar(text.charAt(start - 1))) {
                start--;
            }
            while (start < at && (text.charAt(start) == '.' || text.charAt(start) == '\'')) {
                start++; // a sentence's quote or full stop, not part of the address
            }
            int end = at + 1;
            while (end < length && end - at <= MAX_DOMAIN && isDomainChar(text.charAt(end))) {
                end++;
            }
            while (end > at + 1 && (text.charAt(end - 1) == '.' || text.charAt(end - 1) == '-')) {
                end--;
            }
            if (start < at && end > at + 1) {
                String candidate = text.subSequence(start, end).toString();
                String normalized = normalize(candidate);
                if (normalized != null) {
                    found.add(new Found(start, end, normalized));
                    from = end;
                }
            }
        }
        return found;
    }

    /** The first address in the text, normalized, or null. */
    static String first(CharSequence text) {
        if (text == null) {
            return null;
        }
        List<Found> all = findAll(text);
        return all.isEmpty() ? null : all.get(0).normalized();
    }

    /**
     * Normalizes one address as stored for contacts (lower case, ASCII domain); null when it is
     * not a usable address. A domain must have a dot: {@code user@localhost} is never a contact.
     */
    static String normalize(String address) {
        if (address == null) {
            return null;
        }
        String a = address.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1).strip();
        }
        int at = a.lastIndexOf('@');
        if (at <= 0 || a.indexOf('.', at) < 0) {
            return null;
        }
        return EmailAddress.normalize(a).orElse(null);
    }

    /** True for mailer-daemon, postmaster and similar role addresses. */
    static boolean isSystem(String normalized) {
        int at = normalized.lastIndexOf('@');
        String local = normalized.substring(0, Math.max(at, 0)).toLowerCase(Locale.ROOT);
        return SYSTEM_LOCAL.matcher(local).matches();
    }

    private static boolean isLocalChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || LOCAL_SPECIALS.indexOf(c) >= 0);
    }

    private static boolean isDomainChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '-');
    }

    private static int indexOf(CharSequence text, char c, int from) {
        if (text instanceof String s) {
            return s.indexOf(c, from);
        }
        for (int i = from; i < text.length(); i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
