package dev.mailer.transport;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.PercentEncoding;
import dev.mailer.error.MailerException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One SMTP relay as written on the command line, in the environment or in the config file
 * (SPEC §2): {@code smtp://[user:password@]host[:port]?tls=starttls|tls|none&connections=N}
 * or {@code smtps://…}, plus the optional keys {@code messages-per-connection=N} and
 * {@code timeout=SECONDS}. {@code smtp://user@host} takes its password from elsewhere (see
 * {@link #parse(String, Supplier)}), so that it need not stand on a command line.
 *
 * <p>{@link #toString()} never shows the password: a relay ends up in logs, errors and
 * {@code --json} output, and the secret must not.
 */
public record SmtpRelay(
        Tls tls,
        String host,
        int port,
        String user,
        String password,
        int connections,
        int messagesPerConnection,
        Duration timeout) {

    /** How the connection is protected. */
    public enum Tls {
        /** Plain connect, then STARTTLS, which the server must offer (mail.smtp.starttls.required). */
        STARTTLS(587),
        /** TLS from the first byte (SMTPS, "implicit TLS"). */
        TLS(465),
        /** No encryption at all: allowed only towards this machine. */
        NONE(25);

        private final int defaultPort;

        Tls(int defaultPort) {
            this.defaultPort = defaultPort;
        }

        public int defaultPort() {
            return defaultPort;
        }
    }

    public static final int DEFAULT_CONNECTIONS = 4;
    public static final int MAX_CONNECTIONS = 64;
    public static final int DEFAULT_MESSAGES_PER_CONNECTION = 1000;
    /** Far above what any relay lets one session send; a larger number is a typo. */
    public static final int MAX_MESSAGES_PER_CONNECTION = 1_000_000;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int MAX_TIMEOUT_SECONDS = 3600;

    private static final String KNOWN_KEYS = "tls, connections, messages-per-connection, timeout";
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\\.?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");
    /** A comma that starts the next relay of a list: only before a new smtp:// or smtps://. */
    private static final Pattern LIST_SEPARATOR = Pattern.compile("\\s*,\\s*(?=(?i:smtps?://))");

    public SmtpRelay {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timeout, "timeout");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        if (connections < 1 || connections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("connections must be 1.." + MAX_CONNECTIONS + ": " + connections);
        }
        if (messagesPerConnection < 1) {
            throw new IllegalArgumentException("messagesPerConnection must be positive: " + messagesPerConnection);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("user and password go together");
        }
    }

    /**
     * Parses a relay URL.
     *
     * @throws MailerException (usage) with one sentence naming what is wrong; the password is
     *         masked in it
     */
    public static SmtpRelay parse(String url) {
        return parse(url, () -> null);
    }

    /**
     * Parses a relay URL whose password may be given apart: {@code smtp://user@host} takes
     * {@code password}'s (asked for only then); a password written in the URL is used as written.
     *
     * @param password the password from MAILER_SMTP_PASSWORD or a password file, or null when none
     */
    public static SmtpRelay parse(String url, Supplier<String> password) {
        if (url == null || url.isBlank()) {
            throw MailerException.of(ErrorKind.CONFIG, "An SMTP relay URL is empty; write it like smtp://relay.example:587.");
        }
        String text = url.strip();
        String shown = mask(text);
        int schemeEnd = text.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("smtp") && !scheme.equals("smtps")) {
            throw bad(shown, "must start with smtp:// or smtps://");
        }
        // The user information runs to the LAST '@', so a password with an unencoded '/', '?', '#'
        // or '@' still parses, and mask() hides exactly that span: no error below can quote a
        // fragment of the password. (Option values never contain '@'.)
        String rest = text.substring(schemeEnd + 3);
        int at = rest.lastIndexOf('@');
        String user = null;
        String secret = null;
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                user = percentDecode(userInfo, shown);
                secret = password.get();
                if (secret == null) {
                    throw bad(shown, "names a user but no password; give it with MAILER_SMTP_PASSWORD,"
                            + " --smtp-password-file or smtp-password-file in mailer.yaml (or as user:password@host)");
                }
            } else {
                user = percentDecode(userInfo.substring(0, colon), shown);
                secret = percentDecode(userInfo.substring(colon + 1), shown);
            }
            if (user.isEmpty() || secret.isEmpty()) {
                throw bad(shown, "has an empty user name or password");
            }
            rest = rest.substring(at + 1);
        }
        int authorityEnd = indexOfAny(rest, "/?#");
        String hostPort = authorityEnd < 0 ? rest : rest.substring(0, authorityEnd);
        String tail = authorityEnd < 0 ? "" : rest.substring(authorityEnd);
        String query = "";
        if (tail.startsWith("#")) {
            throw bad(shown, "has a '#' part, which a relay URL does not take");
        } else if (tail.startsWith("/")) {
            int q = tail.indexOf('?');
            String path = q < 0 ? tail : tail.substring(0, q);
            if (!path.equals("/")) {
                throw bad(shown, "has a path, which a relay URL does not take");
            }
            query = q < 0 ? "" : tail.substring(q + 1);
        } else if (tail.startsWith("?")) {
            query = tail.substring(1);
        }

        String host;
        String portText = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw bad(shown, "has an IPv6 address without its closing ']'");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw bad(shown, "has text after the IPv6 address that is not a port");
                }
                portText = after.substring(1);
            }
            if (!IPV6.matcher(host).matches() || !host.contains(":")) {
                throw bad(shown, "has an IPv6 address that is not one");
            }
        } else {
            int colon = hostPort.indexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            portText = colon < 0 ? null : hostPort.substring(colon + 1);
            if (!HOST_NAME.matcher(host).matches()) {
                throw bad(shown, host.isEmpty() ? "has no host name" : "has a host name that is not one");
            }
        }

        Map<String, String> options = options(query, shown);
        Tls tls = scheme.equals("smtps") ? Tls.TLS : Tls.STARTTLS;
        String tlsText = options.get("tls");
        if (tlsText != null) {
            Tls asked = switch (tlsText.toLowerCase(Locale.ROOT)) {
                case "starttls" -> Tls.STARTTLS;
                case "tls" -> Tls.TLS;
                case "none" -> Tls.NONE;
                default -> throw bad(shown, "has tls=" + tlsText + ", which must be starttls, tls or none");
            };
            if (scheme.equals("smtps") && asked != Tls.TLS) {
                throw bad(shown, "says smtps:// (TLS from the start) but tls=" + tlsText + "; use smtp:// for that");
            }
            tls = asked;
        }
        if (tls == Tls.NONE && !isLoopback(host)) {
            throw bad(shown, "has tls=none for a host that is not this machine; "
                    + "unencrypted SMTP is allowed only to localhost, 127.0.0.0/8 or ::1");
        }

        int port = portText == null ? tls.defaultPort() : number(portText, "port", 1, 65535, shown);
        int connections = optionalNumber(options, "connections", 1, MAX_CONNECTIONS, DEFAULT_CONNECTIONS, shown);
        int perConnection = optionalNumber(options, "messages-per-connection", 1, MAX_MESSAGES_PER_CONNECTION,
                DEFAULT_MESSAGES_PER_CONNECTION, shown);
        int timeoutSeconds = optionalNumber(options, "timeout", 1, MAX_TIMEOUT_SECONDS,
                (int) DEFAULT_TIMEOUT.toSeconds(), shown);
        return new SmtpRelay(tls, host, port, user, secret, connections, perConnection,
                Duration.ofSeconds(timeoutSeconds));
    }

    /**
     * The relay URLs of a comma-separated list ({@code MAILER_SMTP_URL}). A comma separates relays
     * only where a new {@code smtp://} or {@code smtps://} follows it, so a password with a comma
     * stays whole (it may also be written {@code %2C}).
     */
    public static List<String> splitList(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        return List.of(LIST_SEPARATOR.split(list.strip()));
    }

    /** For people and logs: {@code smtp://user:***@host:587}, never the password. */
    public String describe() {
        StringBuilder b = new StringBuilder(tls == Tls.TLS ? "smtps://" : "smtp://");
        if (user != null) {
            b.append(PercentEncoding.encode(user, true)).append(":***@");
        }
        b.append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port);
        return b.toString();
    }

    public boolean authenticates() {
        return user != null;
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * Masks the password in a URL that may not even parse, so that an error about it can quote
     * it: everything between the user's ':' and the last '@' becomes ***, the span
     * {@link #parse} reads as the password.
     */
    public static String mask(String url) {
        int start = url.indexOf("://");
        int from = start < 0 ? 0 : start + 3;
        int at = url.lastIndexOf('@');
        if (at < from) {
            return url;
        }
        int colon = url.indexOf(':', from);
        if (colon < 0 || colon > at) {
            // no ':' means no user/password split: the whole span may be a secret
            return url.substring(0, from) + "***" + url.substring(at);
        }
        return url.substring(0, colon + 1) + "***" + url.substring(at);
    }

    public static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost") || host.equalsIgnoreCase("localhost.")) {
            return true;
        }
        var v4 = IPV4.matcher(host);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    return false;
                }
            }
            return Integer.parseInt(v4.group(1)) == 127;
        }
        if (host.contains(":") && IPV6.matcher(host).matches()) {
            try {
                // a literal: no DNS look-up happens, and ::1, 0:0:0:0:0:0:0:1 and ::ffff:127.0.0.1 all count
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        // any other name may resolve anywhere: only the literal loopback names are trusted
        return false;
    }

    private static Map<String, String> options(String query, String shown) {
        Map<String, String> options = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return options;
        }
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
            if (!isKnownKey(key)) {
                throw bad(shown, "has the unknown option '" + key + "'; known options are " + KNOWN_KEYS);
            }
            if (eq < 0 || eq == pair.length() - 1) {
                throw bad(shown, "has the option '" + key + "' without a value");
            }
            if (options.put(key, pair.substring(eq + 1)) != null) {
                throw bad(shown, "has the option '" + key + "' twice");
            }
        }
        return options;
    }

    private static boolean isKnownKey(String key) {
        return switch (key) {
            case "tls", "connections", "messages-per-connection", "timeout" -> true;
            default -> false;
        };
    }

    private static int optionalNumber(Map<String, String> options, String key, int min, int max, int dflt,
            String shown) {
        String text = options.get(key);
        return text == null ? dflt : number(text, key, min, max, shown);
    }

    private static int number(String text, String what, int min, int max, String shown) {
        if (!DIGITS.matcher(text).matches() || Integer.parseInt(text) < min || Integer.parseInt(text) > max) {
            throw bad(shown, "has " + what + " '" + text + "', which must be a whole number from " + min + " to " + max);
        }
        return Integer.parseInt(text);
    }

    private static String percentDecode(String text, String shown) {
        // the text may be the password: name the problem, never the text
        return PercentEncoding.decode(text).orElseThrow(() -> bad(shown,
                "has a '%' in its user name or password that is not followed by two hex digits"));
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static MailerException bad(String shown, String problem) {
        return MailerException.of(ErrorKind.CONFIG, "The SMTP relay URL '" + shown + "' " + problem + ".");
    }
}
