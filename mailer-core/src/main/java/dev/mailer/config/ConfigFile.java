package dev.mailer.config;

import dev.mailer.config.ConfigFileValues.Dkim;
import dev.mailer.config.ConfigFileValues.PasswordFiles;
import dev.mailer.config.ConfigFileValues.Sender;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code mailer.yaml} (SPEC §2). All keys are optional; what is given must be valid, and a
 * mistake names the key and the line.
 *
 * <p>{@code db}, {@code smtp} and {@code mailbox} are URLs that may carry passwords, and
 * {@code webhooks} holds signing keys and a password, so no message about them, nor about a YAML
 * syntax error inside them, ever shows their value. The URLs' passwords may instead be kept in files
 * of their own: {@code db-password-file}, {@code smtp-password-file}, {@code mailbox-password-file}
 * (read by {@link PasswordFile} when used).
 */
public final class ConfigFile {

    public static final List<String> KEYS = List.of(
            "db", "smtp", "mailbox", "unsubscribe-base-url", "bounce-address", "unsubscribe-address",
            "templates", "sender", "dkim", "tls-ca", "purposes", "serve", "db-password-file", "smtp-password-file",
            "mailbox-password-file", "max-message-size", "webhooks");
    static final List<String> PURPOSE_KEYS = List.of("title", "text-version");
    static final List<String> SERVE_KEYS = List.of("redirects", "signup-tags", "signup-limits");
    static final List<String> LIMIT_KEYS = List.of("per-address-per-day", "per-ip-per-hour");
    private static final Pattern PURPOSE_CODE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8})*");
    static final List<String> SENDER_KEYS = List.of("organisation", "postal-address", "dpo-email");
    static final List<String> DKIM_KEYS = List.of("domain", "selector", "private-key");

    /** Keys whose values may hold passwords ({@code webhooks}: signing keys and passwords). */
    public static final Set<String> SECRET_KEYS = Set.of("db", "smtp", "mailbox", "webhooks");

    private static final String DNS_LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?";
    private static final Pattern SELECTOR = Pattern.compile(DNS_LABEL + "(?:\\." + DNS_LABEL + ")*");
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})\\s*(B|KB|K|MB|M)?", Pattern.CASE_INSENSITIVE);
    static final long MIN_MESSAGE_SIZE = 1024;
    static final long MAX_MESSAGE_SIZE = 100L * 1024 * 1024;
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private ConfigFile() {
    }

    /**
     * Reads and checks a config file.
     *
     * @throws MailerException (usage) for an unreadable file, invalid YAML or any invalid value
     */
    public static ConfigFileValues read(Path file) {
        try {
            return readValues(file);
        } catch (MailerException e) {
            throw e.asKindOf(ErrorKind.CONFIG);
        }
    }

    private static ConfigFileValues readValues(Path file) {
        YamlMap root = YamlDocument.read(file, SECRET_KEYS).root().allowOnly(KEYS);

        String db = root.optional("db")
                .map(v -> secretUrl(v, "be a jdbc:postgresql:// URL", "jdbc:postgresql://"))
                .orElse(null);
        List<String> smtp = new ArrayList<>();
        root.optional("smtp").ifPresent(v -> v.list().forEach(
                e -> smtp.add(secretUrl(e, "be an smtp:// or smtps:// URL", "smtp://", "smtps://"))));
        String mailbox = root.optional("mailbox")
                .map(v -> secretUrl(v, "be an imap://, imaps://, pop3:// or pop3s:// URL",
                        "imap://", "imaps://", "pop3://", "pop3s://"))
                .orElse(null);
        URI unsubscribeBaseUrl = root.optional("unsubscribe-base-url").map(ConfigFile::baseUrl).orElse(null);
        EmailAddress bounceAddress = root.optional("bounce-address")
                .map(v -> address(v, "bounces@kawiarnia.example")).orElse(null);
        EmailAddress unsubscribeAddress = root.optional("unsubscribe-address")
                .map(v -> address(v, "unsubscribe@kawiarnia.example")).orElse(null);
        String templates = root.optional("templates").map(ConfigFile::path).orElse(null);
        Sender sender = root.optional("sender").map(ConfigFile::sender).orElse(Sender.NONE);
        Dkim dkim = root.optional("dkim").map(ConfigFile::dkim).orElse(null);
        String tlsCa = root.optional("tls-ca").map(ConfigFile::path).orElse(null);
        PasswordFiles passwordFiles = new PasswordFiles(
                root.optional("db-password-file").map(ConfigFile::path).orElse(null),
                root.optional("smtp-password-file").map(ConfigFile::path).orElse(null),
                root.optional("mailbox-password-file").map(ConfigFile::path).orElse(null));

        Long maxMessageSize = root.optional("max-message-size").map(ConfigFile::size).orElse(null);

        Purposes purposes = root.optional("purposes").map(ConfigFile::purposes).orElse(Purposes.NONE);
        ServeConfig serve = root.optional("serve").map(ConfigFile::serve).orElse(ServeConfig.DEFAULT);
        WebhooksConfig webhooks = root.optional("webhooks").map(WebhooksConfig::read).orElse(WebhooksConfig.NONE);

        return new ConfigFileValues(file, db, smtp, mailbox, unsubscribeBaseUrl, bounceAddress,
                unsubscribeAddress, templates, sender, dkim, tlsCa, purposes, serve, passwordFiles, maxMessageSize,
                webhooks);
    }

    /**
     * Only the scheme is checked here; the full parse belongs to the code that connects, which
     * also sees flags and environment variables. The value is never put into a message.
     */
    private static String secretUrl(YamlValue v, String mustPhrase, String... schemes) {
        String url = v.text().strip();
        String lower = url.toLowerCase(Locale.ROOT);
        boolean known = false;
        for (String scheme : schemes) {
            known |= lower.startsWith(scheme) && lower.length() > scheme.length();
        }
        if (!known || url.codePoints().anyMatch(cp -> Character.isWhitespace(cp) || Character.isISOControl(cp))) {
            throw v.invalid(mustPhrase);
        }
        return url;
    }

    /** https only, because unsubscribe links carry tokens; plain http is for a local test server. */
    private static URI baseUrl(YamlValue v) {
        String phrase = "be an https:// URL like https://mail.kawiarnia.example";
        URI uri;
        try {
            uri = new URI(v.text().strip());
        } catch (URISyntaxException e) {
            throw v.invalid(phrase);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
        if (host == null || uri.isOpaque()) {
            throw v.invalid(phrase);
        }
        if (scheme.equals("http") && !LOOPBACK_HOSTS.contains(host)) {
            throw v.invalid(phrase, "plain http:// is allowed only for localhost");
        }
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw v.invalid(phrase);
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw v.invalid("be a base URL without a user name, ?query or #fragment, like https://mail.kawiarnia.example");
        }
        return uri;
    }

    /** {@code 10MB}, {@code 512 KB}, {@code 2000000} (bytes); KB and MB count 1024. */
    private static long size(YamlValue v) {
        Matcher m = SIZE.matcher(v.text().strip());
        String phrase = "be a size from 1KB to 100MB like 10MB or 512KB";
        if (!m.matches()) {
            throw v.invalid(phrase);
        }
        String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
        long factor = switch (unit) {
            case "KB", "K" -> 1024L;
            case "MB", "M" -> 1024L * 1024;
            default -> 1L;
        };
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw v.invalid(phrase);
        }
        if (bytes < MIN_MESSAGE_SIZE || bytes > MAX_MESSAGE_SIZE) {
            throw v.invalid(phrase);
        }
        return bytes;
    }

    private static EmailAddress address(YamlValue v, String example) {
        return EmailAddress.parse(v.text()).orElseThrow(() -> v.invalid("be an e-mail address like " + example));
    }

    private static String path(YamlValue v) {
        String path = v.text().strip();
        if (path.isEmpty() || path.codePoints().anyMatch(Character::isISOControl)) {
            throw v.invalid("be a path");
        }
        return path;
    }

    private static Purposes purposes(YamlValue v) {
        java.util.Map<String, Purposes.Purpose> byCode = new java.util.LinkedHashMap<>();
        for (YamlValue entry : v.map().values()) {
            String code = entry.key();
            if (!PURPOSE_CODE.matcher(code).matches()) {
                throw entry.error("'" + entry.path() + "': a purpose code is lower-case letters, digits and"
                        + " '-', '_' or '.', such as newsletter or offers-2026.");
            }
            YamlMap m = entry.map().allowOnly(PURPOSE_KEYS);
            java.util.Map<String, String> titles = new java.util.LinkedHashMap<>();
            m.optional("title").ifPresent(t -> {
                for (YamlValue title : t.map().values()) {
                    if (!LANGUAGE.matcher(title.key()).matches()) {
                        throw title.error("'" + title.path() + "': titles are keyed by language, such as pl, en"
                                + " or sr-Latn.");
                    }
                    titles.put(title.key(), text(title, false));
                }
            });
            String version = m.optional("text-version").map(t -> text(t, false)).orElse(null);
            byCode.put(code, new Purposes.Purpose(code, titles, version));
        }
        return new Purposes(byCode);
    }

    private static ServeConfig serve(YamlValue v) {
        YamlMap m = v.map().allowOnly(SERVE_KEYS);
        List<URI> redirects = new ArrayList<>();
        m.optional("redirects").ifPresent(r -> r.list().forEach(e -> redirects.add(redirect(e))));
        List<String> tags = new ArrayList<>();
        m.optional("signup-tags").ifPresent(t -> t.list().forEach(e -> tags.add(text(e, false))));
        int perAddress = ServeConfig.DEFAULT_PER_ADDRESS_PER_DAY;
        int perIp = ServeConfig.DEFAULT_PER_IP_PER_HOUR;
        Optional<YamlValue> limits = m.optional("signup-limits");
        if (limits.isPresent()) {
            YamlMap l = limits.get().map().allowOnly(LIMIT_KEYS);
            perAddress = l.optional("per-address-per-day").map(e -> e.wholeNumber(1, 100)).orElse(perAddress);
            perIp = l.optional("per-ip-per-hour").map(e -> e.wholeNumber(1, 100_000)).orElse(perIp);
        }
        return new ServeConfig(redirects, tags, perAddress, perIp);
    }

    /** Only https (or http to a loopback host, for trying a form locally). */
    private static URI redirect(YamlValue v) {
        String text = v.text().strip();
        try {
            URI uri = new URI(text);
            boolean https = "https".equals(uri.getScheme());
            boolean local = "http".equals(uri.getScheme()) && uri.getHost() != null
                    && LOOPBACK_HOSTS.contains(uri.getHost().toLowerCase(Locale.ROOT));
            if (uri.getHost() == null || !https && !local || uri.getRawUserInfo() != null) {
                throw v.invalid("be an https:// URL such as https://kawiarnia.example/thanks");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw v.invalid("be an https:// URL such as https://kawiarnia.example/thanks");
        }
    }

    private static Sender sender(YamlValue v) {
        YamlMap m = v.map().allowOnly(SENDER_KEYS);
        String organisation = m.optional("organisation").map(e -> text(e, false)).orElse(null);
        String postalAddress = m.optional("postal-address").map(e -> text(e, true)).orElse(null);
        EmailAddress dpo = m.optional("dpo-email").map(e -> address(e, "iod@kawiarnia.example")).orElse(null);
        return new Sender(organisation, postalAddress, dpo);
    }

    /** Printed in message footers, so no control characters; a postal address may span lines. */
    private static String text(YamlValue v, boolean multiLine) {
        String text = v.text().strip();
        if (text.isEmpty()) {
            throw v.error("'" + v.path() + "' is empty; leave the key out instead.");
        }
        boolean bad = text.codePoints().anyMatch(cp -> Character.isISOControl(cp) && !(multiLine && cp == '\n'));
        if (bad) {
            throw v.invalid(multiLine ? "be text without control characters" : "be a single line of text");
        }
        return text;
    }

    private static Dkim dkim(YamlValue v) {
        YamlMap m = v.map().allowOnly(DKIM_KEYS);
        YamlValue domainValue = m.required("domain");
        String domain = domain(domainValue.text())
                .orElseThrow(() -> domainValue.invalid("be a domain name like kawiarnia.example"));
        YamlValue selectorValue = m.required("selector");
        String selector = selectorValue.text().strip();
        if (!SELECTOR.matcher(selector).matches()) {
            throw selectorValue.invalid("be a DKIM selector like mail2026 (letters, digits, '-', '_' and '.')");
        }
        String privateKey = path(m.required("private-key"));
        return new Dkim(domain, selector, privateKey);
    }

    private static Optional<String> domain(String raw) {
        String d = raw.strip();
        if (d.isEmpty() || d.contains("@")) {
            return Optional.empty();
        }
        return EmailAddress.parse("postmaster@" + d).map(EmailAddress::domain);
    }
}
