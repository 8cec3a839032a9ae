package dev.mailer.error;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secrets in play (passwords from URLs, environment variables and password files, the token
 * secret) and the one way text is cleaned of them before anyone sees it: every registered secret
 * becomes {@value #MASK}, and so does the password of any {@code scheme://user:password@} and any
 * {@code password=…} in the text, registered or not, so that a driver or library quoting a URL
 * cannot show one either.
 *
 * <p>A secret shorter than {@value #MIN_LENGTH} characters is masked only where it stands in a
 * URL: masking every "ab" in every message would make them unreadable. Thread-safe.
 */
public final class SecretMask {
    public static final String MASK = "***";
    /** Shorter secrets are not searched for in free text. */
    public static final int MIN_LENGTH = 4;

    /**
     * {@code scheme://user:password@}: the user part has no ':', '/', '@'; the password runs to the
     * last '@' of the same word (an unencoded '@' or '/' in a password still counts as its own).
     */
    private static final Pattern URL_PASSWORD =
            Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^\\s/?#@:\"'<>]*:)[^\\s\"'<>]*@");
    /** {@code password=…} in a query string or a properties-like text, up to '&', ';' or the word's end. */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)[^&;\\s\"'<>]*");

    private static final Pattern PASSWORD_VALUE = Pattern.compile("(?i)password=([^&;\\s]*)");
    private static final Pattern NEXT_URL = Pattern.compile(",\\s*[A-Za-z][A-Za-z0-9+.-]*://");

    private final Object lock = new Object();
    /** Longest first, so that a secret containing another is masked whole. */
    private volatile List<String> secrets = List.of();
    /** The same secrets as their UTF-8 bytes seen one char per byte, for {@link #scrubBytes}. */
    private volatile List<String> byteSecrets = List.of();

    /** Registers a secret; null, blank and already known ones change nothing. */
    public void add(String secret) {
        if (secret == null || secret.isBlank() || secret.length() < MIN_LENGTH || secret.equals(MASK)) {
            return;
        }
        synchronized (lock) {
            Set<String> all = new LinkedHashSet<>(secrets);
            all.add(secret);
            String encoded = PercentEncoding.encode(secret, false);
            if (!encoded.equals(secret)) {
                all.add(encoded); // as it would stand in a URL
            }
            List<String> sorted = new ArrayList<>(all);
            sorted.sort(Comparator.comparingInt(String::length).reversed());
            List<String> bytes = new ArrayList<>(sorted.size());
            for (String s : sorted) {
                bytes.add(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
            }
            secrets = List.copyOf(sorted);
            byteSecrets = List.copyOf(bytes);
        }
    }

    /**
     * Registers the passwords that a URL (or any text holding URLs) carries: the user information's
     * password, as written and percent-decoded, and any {@code password=} parameter.
     */
    public void addUrl(String text) {
        if (text == null) {
            return;
        }
        int start = 0;
        while (true) {
            int scheme = text.indexOf("://", start);
            if (scheme < 0) {
                break;
            }
            int end = scheme + 3;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            String rest = text.substring(scheme + 3, end);
            // the next URL of a list starts a new span
            int next = nextScheme(rest);
            if (next > 0) {
                rest = rest.substring(0, next);
                end = scheme + 3 + next;
            }
            int at = rest.lastIndexOf('@');
            int colon = rest.indexOf(':');
            if (at > 0 && colon >= 0 && colon < at) {
                String raw = rest.substring(colon + 1, at);
                add(raw);
                add(percentDecode(raw));
            }
            start = Math.max(end, scheme + 3);
        }
        Matcher parameter = PASSWORD_VALUE.matcher(text);
        while (parameter.find()) {
            add(parameter.group(1));
            add(percentDecode(parameter.group(1)));
        }
    }

    /** Where, after the start of a URL's authority, another URL begins (",smtp://…"); -1 when none. */
    private static int nextScheme(String rest) {
        Matcher m = NEXT_URL.matcher(rest);
        return m.find() ? m.start() : -1;
    }

    /** The text with every secret, and every password in a URL or {@code password=}, masked. */
    public String scrub(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        return maskPatterns(replaceAll(text, secrets));
    }

    /**
     * Bytes (UTF-8 text, or anything else) cleaned the same way; bytes that hold no secret come
     * back exactly as they were.
     */
    public byte[] scrubBytes(byte[] bytes, int offset, int length) {
        String latin1 = new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        String scrubbed = maskPatterns(replaceAll(latin1, byteSecrets));
        if (scrubbed.equals(latin1)) {
            byte[] copy = new byte[length];
            System.arraycopy(bytes, offset, copy, 0, length);
            return copy;
        }
        return scrubbed.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Masks the password of every {@code scheme://user:password@} and every {@code password=…} in
     * the text; for messages made where the secrets are not registered.
     */
    public static String maskUrls(String text) {
        return text == null ? null : maskPatterns(text);
    }

    private static String maskPatterns(String text) {
        String masked = text;
        if (masked.contains("://")) {
            masked = URL_PASSWORD.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
        }
        if (containsIgnoreCase(masked, "password=")) {
            masked = PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK));
        }
        return masked;
    }

    private static String replaceAll(String text, List<String> secrets) {
        String result = text;
        for (String secret : secrets) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }

    private static boolean containsIgnoreCase(String text, String needle) {
        for (int i = 0; i + needle.length() <= text.length(); i++) {
            if (text.regionMatches(true, i, needle, 0, needle.length())) {
                return true;
            }
        }
        return false;
    }

    /** %XX sequences decoded as UTF-8; a '%' not followed by two hex digits stays as it is. */
    public static String percentDecode(String text) {
        return PercentEncoding.decodeLenient(text);
    }
}
