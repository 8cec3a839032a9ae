package dev.mailer.contacts;

import dev.mailer.error.MailerException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * An e-mail address as stored: the address as the person gave it (trimmed) and its normalized
 * form, which identifies the person everywhere (unique index, suppressions, erasure hash).
 *
 * <p>Accepted: a dot-atom local part (RFC 5322, UTF-8 letters allowed per RFC 6532) and a domain
 * of at least two labels, internationalized domains included. Quoted local parts and address
 * literals are valid RFC 5322 but are refused: no mail system a newsletter goes to needs them,
 * and they are a common sign of junk data.
 *
 * <p>Normalized form: lower case, domain in ASCII (punycode), so {@code Jan@Bücher.DE} and
 * {@code jan@xn--bcher-kva.de} are the same person.
 */
public record EmailAddress(String address, String normalized) {

    public static final int MAX_LENGTH = 254;
    private static final int MAX_LOCAL_OCTETS = 64;
    private static final String ATEXT_SPECIALS = "!#$%&'*+/=?^_`{|}~-";

    /**
     * Parses an address given on the command line or in a request.
     *
     * @throws MailerException (usage) naming the text when it is not a valid address
     */
    public static EmailAddress require(String raw) {
        return parse(raw).orElseThrow(() -> MailerException.usage("'" + (raw == null ? "" : raw.length() > 80
                ? raw.substring(0, 77) + "..." : raw) + "' is not a valid e-mail address."));
    }

    /** Parses an address, or returns empty when it is not a valid address. */
    public static Optional<EmailAddress> parse(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String address = raw.strip();
        if (address.isEmpty() || address.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return Optional.empty();
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (!isDotAtom(local) || local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_OCTETS) {
            return Optional.empty();
        }
        Optional<String> asciiDomain = asciiDomain(domain);
        if (asciiDomain.isEmpty()) {
            return Optional.empty();
        }
        String normalized = local.toLowerCase(Locale.ROOT) + "@" + asciiDomain.get();
        if (normalized.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        return Optional.of(new EmailAddress(address, normalized));
    }

    /** The normalized form, or empty when the text is not a valid address. */
    public static Optional<String> normalize(String raw) {
        return parse(raw).map(EmailAddress::normalized);
    }

    /** The normalized domain (ASCII, lower case). */
    public String domain() {
        return normalized.substring(normalized.lastIndexOf('@') + 1);
    }

    private static boolean isDotAtom(String local) {
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        for (int i = 0; i < local.length(); ) {
            int cp = local.codePointAt(i);
            i += Character.charCount(cp);
            boolean ok = cp == '.'
                    || (cp < 128 && (Character.isLetterOrDigit(cp) || ATEXT_SPECIALS.indexOf(cp) >= 0))
                    || (cp >= 128 && Character.isLetterOrDigit(cp));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Optional<String> asciiDomain(String domain) {
        if (domain.endsWith(".") || domain.startsWith(".") || domain.contains("..")) {
            return Optional.empty();
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2 || ascii.length() > 253) {
            return Optional.empty();
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63) {
                return Optional.empty();
            }
        }
        String tld = labels[labels.length - 1];
        if (tld.chars().allMatch(Character::isDigit)) {
            return Optional.empty(); // an IP address, not a domain
        }
        return Optional.of(ascii);
    }
}
