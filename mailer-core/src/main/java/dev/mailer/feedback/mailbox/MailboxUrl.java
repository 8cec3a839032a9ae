package dev.mailer.feedback.mailbox;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.PercentEncoding;
import dev.mailer.error.MailerException;
import dev.mailer.transport.SmtpRelay;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The feedback mailbox (SPEC §2): {@code imap://}, {@code imaps://}, {@code pop3://} or
 * {@code pop3s://} {@code user:password@host[:port]/FOLDER}, with {@code ?tls=none} (loopback
 * only) and {@code ?timeout=SECONDS}. Like the SMTP relays, plain {@code imap://} and
 * {@code pop3://} require STARTTLS: bounce mail carries personal data.
 *
 * @param protocol  imap or pop3
 * @param tls       TLS from the first byte (imaps, pop3s), STARTTLS, or none
 * @param folder    the folder to read; POP3 has only INBOX
 */
public record MailboxUrl(String protocol, SmtpRelay.Tls tls, String host, int port, String user, String password,
                         String folder, Duration timeout) {

    /** Parses the URL; every error is one sentence with the password masked. */
    public static MailboxUrl parse(String url) {
        return parse(url, () -> null);
    }

    /**
     * Parses the URL; {@code user@host} takes {@code password}'s (asked for only then), a password in
     * the URL is used as written. Every error is one sentence with the password masked.
     *
     * @param password the password from MAILER_MAILBOX_PASSWORD or a password file, or null when none
     */
    public static MailboxUrl parse(String url, Supplier<String> password) {
        if (url == null || url.isBlank()) {
            throw MailerException.of(ErrorKind.CONFIG, "No feedback mailbox is configured; give --mailbox URL, MAILER_MAILBOX_URL "
                    + "or 'mailbox:' in mailer.yaml, e.g. imaps://bounces%40example.com:secret@mail.example.com/INBOX.");
        }
        String text = url.strip();
        String shown = SmtpRelay.mask(text);
        // As for relays, the user information runs to the LAST '@': bounces@shop.example:pw@host
        // works as written, and so does a password with an unencoded '/', '?' or '#'.
        String user = null;
        String secret = null;
        int schemeEnd = text.indexOf("://");
        if (schemeEnd > 0) {
            String rest = text.substring(schemeEnd + 3);
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                String info = rest.substring(0, at);
                int colon = info.indexOf(':');
                user = decode(colon < 0 ? info : info.substring(0, colon), shown);
                secret = colon < 0 ? null : decode(info.substring(colon + 1), shown);
                text = text.substring(0, schemeEnd + 3) + rest.substring(at + 1);
            }
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw bad(shown, "is not a valid URL (percent-encode '@', '/', ':' and '%' in the user name and "
                    + "password, e.g. '@' as %40)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        SmtpRelay.Tls tls = switch (scheme) {
            case "imap", "pop3" -> SmtpRelay.Tls.STARTTLS;
            case "imaps", "pop3s" -> SmtpRelay.Tls.TLS;
            default -> throw bad(shown, "must start with imap://, imaps://, pop3:// or pop3s://");
        };
        String protocol = scheme.startsWith("imap") ? "imap" : "pop3";
        if (uri.getHost() == null) {
            throw bad(shown, "has no host name");
        }
        if (user == null || user.isEmpty()) {
            throw bad(shown, "needs a user name: user@host with the password given apart, or user:password@host");
        }
        if (secret == null) {
            secret = password.get();
        }
        if (secret == null) {
            throw bad(shown, "names a user but no password; give it with MAILER_MAILBOX_PASSWORD,"
                    + " --mailbox-password-file or mailbox-password-file in mailer.yaml (or as user:password@host)");
        }
        if (secret.isEmpty()) {
            throw bad(shown, "has an empty password");
        }
        Duration timeout = Duration.ofSeconds(30);
        for (String pair : uri.getRawQuery() == null ? new String[0] : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            String value = kv.length == 2 ? kv[1] : "";
            switch (kv[0].toLowerCase(Locale.ROOT)) {
                case "tls" -> tls = switch (value.toLowerCase(Locale.ROOT)) {
                    case "none" -> SmtpRelay.Tls.NONE;
                    case "starttls" -> SmtpRelay.Tls.STARTTLS;
                    case "tls" -> SmtpRelay.Tls.TLS;
                    default -> throw bad(shown, "has tls=" + value + ", which must be starttls, tls or none");
                };
                case "timeout" -> timeout = Duration.ofSeconds(seconds(value, shown));
                case "" -> { }
                default -> throw bad(shown, "has an unknown option '" + kv[0] + "' (known: tls, timeout)");
            }
        }
        if (tls == SmtpRelay.Tls.NONE && !SmtpRelay.isLoopback(uri.getHost())) {
            throw bad(shown, "has tls=none for a host that is not this machine; "
                    + "an unencrypted mailbox is allowed only on localhost, 127.0.0.0/8 or ::1");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String folder = path.isEmpty() || path.equals("/") ? "INBOX" : path.substring(1);
        if (protocol.equals("pop3") && !folder.equalsIgnoreCase("INBOX")) {
            throw bad(shown, "names the folder '" + folder + "', but POP3 has only INBOX");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : defaultPort(protocol, tls);
        return new MailboxUrl(protocol, tls, uri.getHost(), port, user, secret, folder, timeout);
    }

    /** A user name or password as written, decoded ('+' is a plus here, not a space). */
    private static String decode(String text, String shown) {
        // the text may be the password: name the problem, never the text
        return PercentEncoding.decode(text).orElseThrow(() -> bad(shown,
                "has a '%' in its user name or password that is not followed by two hex digits"));
    }

    /** For people and logs: the password never appears. */
    public String describe() {
        String scheme = protocol + (tls == SmtpRelay.Tls.TLS ? "s" : "");
        return scheme + "://" + user + ":***@" + host + ":" + port + "/" + folder;
    }

    @Override
    public String toString() {
        return describe();
    }

    private static int defaultPort(String protocol, SmtpRelay.Tls tls) {
        boolean implicit = tls == SmtpRelay.Tls.TLS;
        return protocol.equals("imap") ? (implicit ? 993 : 143) : (implicit ? 995 : 110);
    }

    private static int seconds(String value, String shown) {
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= 1 && seconds <= 3600) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // fall through to the sentence below
        }
        throw bad(shown, "has timeout=" + value + ", which must be a number of seconds from 1 to 3600");
    }

    private static MailerException bad(String shown, String problem) {
        return MailerException.of(ErrorKind.CONFIG, "The mailbox URL " + shown + " " + problem + ".");
    }
}
