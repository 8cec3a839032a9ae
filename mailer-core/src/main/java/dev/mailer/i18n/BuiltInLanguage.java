package dev.mailer.i18n;

import java.util.Locale;

/**
 * The languages mailer's own words are written in: the pages of {@code mailer serve} and the
 * double opt-in message. Campaign templates bring their own languages; these are the few the
 * product itself speaks (SPEC §3: pl, sr-Latn, en), English for everyone else.
 */
public enum BuiltInLanguage {
    EN("en"), PL("pl"), SR_LATN("sr-Latn");

    private static final int MAX_ACCEPT_LANGUAGE = 1000;

    private final String tag;

    BuiltInLanguage(String tag) {
        this.tag = tag;
    }

    /** The BCP 47 tag, for {@code lang=""} and file names. */
    public String tag() {
        return tag;
    }

    /**
     * The language for a stored contact locale: any Polish is {@code pl}, any Serbian is
     * {@code sr-Latn} (every Serbian reader reads Latin script; Cyrillic wording does not exist
     * here), anything else English.
     */
    public static BuiltInLanguage ofLocale(String bcp47) {
        BuiltInLanguage language = match(bcp47);
        return language == null ? EN : language;
    }

    /**
     * The first language of an {@code Accept-Language} header that we have, by the client's
     * weights; English when none is (or the header is missing or malformed).
     */
    public static BuiltInLanguage ofAcceptLanguage(String header) {
        if (header == null || header.isBlank() || header.length() > MAX_ACCEPT_LANGUAGE) {
            return EN;
        }
        try {
            for (Locale.LanguageRange range : Locale.LanguageRange.parse(header)) {
                if (range.getWeight() <= 0) {
                    continue;
                }
                BuiltInLanguage language = match(range.getRange());
                if (language != null) {
                    return language;
                }
            }
        } catch (IllegalArgumentException malformed) {
            // a browser that cannot write the header gets the default like one that sent none
        }
        return EN;
    }

    private static BuiltInLanguage match(String bcp47) {
        if (bcp47 == null) {
            return null;
        }
        String language = Locale.forLanguageTag(bcp47.strip().replace('_', '-')).getLanguage();
        return switch (language) {
            case "pl" -> PL;
            case "sr" -> SR_LATN;
            case "en" -> EN;
            default -> null;
        };
    }
}
