package dev.mailer.message;

import dev.mailer.contacts.EmailAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * An address with an optional display name, as written in {@code from} and {@code reply-to}:
 * {@code news@kawiarnia.example}, {@code Kawiarnia Nowak <news@kawiarnia.example>} or
 * {@code "Nowak, Jan" <jan@kawiarnia.example>}.
 *
 * <p>The display name is kept as plain Unicode text (quotes and escapes removed); encoding it
 * for a header (RFC 2047) is the message builder's job, so {@code Kawiarnia Łódź} stays readable
 * here.
 */
public record MailboxAddress(String displayName, EmailAddress address) {

    private static final int MAX_DISPLAY_NAME = 200;
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    public MailboxAddress {
        Objects.requireNonNull(address, "address");
        if (displayName != null && displayName.isBlank()) {
            displayName = null;
        }
    }

    /** Parses a bare address or {@code Name <address>}; empty when it is neither. */
    public static Optional<MailboxAddress> parse(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String s = raw.strip();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (!s.endsWith(">")) {
            if (s.indexOf('<') >= 0 || s.indexOf('"') >= 0) {
                return Optional.empty();
            }
            return EmailAddress.parse(s).map(a -> new MailboxAddress(null, a));
        }
        String name;
        String rest;
        if (s.startsWith("\"")) {
            StringBuilder b = new StringBuilder();
            int i = 1;
            boolean closed = false;
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '\\' && i < s.length()) {
                    b.append(s.charAt(i++));
                } else if (c == '"') {
                    closed = true;
                    break;
                } else {
                    b.append(c);
                }
            }
            if (!closed) {
                return Optional.empty();
            }
            name = b.toString().strip();
            rest = s.substring(i).strip();
        } else {
            int lt = s.indexOf('<');
            if (lt < 0) {
                return Optional.empty();
            }
            name = s.substring(0, lt).strip();
            rest = s.substring(lt);
            if (name.indexOf('"') >= 0 || name.indexOf('>') >= 0) {
                return Optional.empty();
            }
        }
        if (!rest.startsWith("<") || !rest.endsWith(">") || rest.length() < 3) {
            return Optional.empty();
        }
        String inner = rest.substring(1, rest.length() - 1);
        if (inner.indexOf('<') >= 0 || inner.indexOf('>') >= 0) {
            return Optional.empty();
        }
        // A line break in a display name would end up in a header: refuse every control character.
        if (name.codePoints().anyMatch(Character::isISOControl)
                || name.codePointCount(0, name.length()) > MAX_DISPLAY_NAME) {
            return Optional.empty();
        }
        return EmailAddress.parse(inner).map(a -> new MailboxAddress(name.isEmpty() ? null : name, a));
    }

    /**
     * The readable form, {@code Name <address>}, with the name quoted when it holds characters
     * that need it ({@code "Nowak, Jan" <jan@example.com>}). Not header-encoded.
     */
    @Override
    public String toString() {
        if (displayName == null) {
            return address.address();
        }
        return (needsQuoting(displayName) ? quoted(displayName) : displayName) + " <" + address.address() + ">";
    }

    private static boolean needsQuoting(String name) {
        return !name.codePoints().allMatch(cp -> cp == ' ' || Character.isLetterOrDigit(cp)
                || (cp < 128 && ATEXT_SPECIALS.indexOf(cp) >= 0));
    }

    private static String quoted(String name) {
        return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
