package dev.mailer.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The consent purposes people can give or withdraw through {@code mailer serve} ({@code purposes:}
 * in mailer.yaml, SPEC §9), in the order written. A purpose not listed here can still be recorded
 * by imports and the CLI; the sign-up form and the preference centre offer only these.
 */
public record Purposes(Map<String, Purpose> byCode) {
    public static final Purposes NONE = new Purposes(Map.of());

    /**
     * @param titles      what a person reads instead of the code, by language tag (pl, en, sr-Latn)
     * @param textVersion the version of the wording shown, stored with every consent given through serve
     */
    public record Purpose(String code, Map<String, String> titles, String textVersion) {
        public Purpose {
            titles = Map.copyOf(titles);
        }

        /** The title in this language, else in English, else any, else the code. */
        public String title(String language) {
            String title = titles.get(language);
            if (title == null) {
                title = titles.get("en");
            }
            if (title == null && !titles.isEmpty()) {
                title = titles.values().iterator().next();
            }
            return title == null ? code : title;
        }
    }

    public Purposes {
        byCode = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byCode));
    }

    public Optional<Purpose> find(String code) {
        return Optional.ofNullable(code == null ? null : byCode.get(code));
    }

    public List<Purpose> all() {
        return List.copyOf(byCode.values());
    }

    public boolean isEmpty() {
        return byCode.isEmpty();
    }

    /** A purpose's title in a language, or the text itself for a purpose not listed. */
    public String title(String code, String language) {
        return find(code).map(p -> p.title(language)).orElse(code);
    }
}
