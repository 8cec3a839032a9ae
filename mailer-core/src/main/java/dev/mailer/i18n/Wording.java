package dev.mailer.i18n;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Built-in wording in every {@link BuiltInLanguage}, read once from UTF-8 properties files next
 * to a class ({@code NAME_en.properties}, {@code NAME_pl.properties}, {@code NAME_sr-Latn.properties}).
 * A key missing from a translation falls back to English, so a half-done translation still
 * shows a whole page. Placeholders are {@code {name}}; no {@link java.text.MessageFormat}, whose
 * quoting rules would eat the apostrophes of English text.
 */
public final class Wording {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-zA-Z]+)}");

    private final Map<BuiltInLanguage, Map<String, String>> texts;

    private Wording(Map<BuiltInLanguage, Map<String, String>> texts) {
        this.texts = texts;
    }

    /** Loads {@code name_TAG.properties} of every language from the package of {@code anchor}. */
    public static Wording load(Class<?> anchor, String name) {
        Map<BuiltInLanguage, Map<String, String>> texts = new EnumMap<>(BuiltInLanguage.class);
        Map<String, String> english = read(anchor, name + "_en.properties", true);
        for (BuiltInLanguage language : BuiltInLanguage.values()) {
            Map<String, String> merged = new HashMap<>(english);
            if (language != BuiltInLanguage.EN) {
                merged.putAll(read(anchor, name + "_" + language.tag() + ".properties", false));
            }
            texts.put(language, Map.copyOf(merged));
        }
        return new Wording(texts);
    }

    /** The text as written, placeholders filled in unchanged; for plain text. */
    public String text(BuiltInLanguage language, String key, Map<String, String> values) {
        return fill(raw(language, key), values);
    }

    public String text(BuiltInLanguage language, String key) {
        return raw(language, key);
    }

    /**
     * The text for HTML: the wording and every value escaped, so neither a translator's
     * {@code <} nor a value from the database can become markup.
     */
    public String html(BuiltInLanguage language, String key, Map<String, String> values) {
        Map<String, String> escaped = new HashMap<>();
        values.forEach((k, v) -> escaped.put(k, Html.escape(v)));
        return fill(Html.escape(raw(language, key)), escaped);
    }

    public String html(BuiltInLanguage language, String key) {
        return Html.escape(raw(language, key));
    }

    /** Every key of the English wording, for checks that each translation is complete. */
    public Set<String> keys() {
        return texts.get(BuiltInLanguage.EN).keySet();
    }

    private String raw(BuiltInLanguage language, String key) {
        String text = texts.get(language).get(key);
        if (text == null) {
            throw new IllegalArgumentException("no wording '" + key + "'");
        }
        return text;
    }

    private static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 32);
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Map<String, String> read(Class<?> anchor, String file, boolean required) {
        try (InputStream in = anchor.getResourceAsStream(file)) {
            if (in == null) {
                if (required) {
                    throw new IllegalStateException("wording resource missing: " + file);
                }
                return Map.of();
            }
            Properties properties = new Properties();
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            Map<String, String> map = new HashMap<>();
            properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k)));
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
