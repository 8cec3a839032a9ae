package dev.mailer.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The product's own words: every translation complete, and the right one chosen. */
class BuiltInWordingTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[a-zA-Z]+}");
    private static final String[] WORDINGS = {"/dev/mailer/feedback/http/pages", "/dev/mailer/optin/confirmation"};

    @Test
    void everyTranslationHasEveryKeyAndNoOther() throws IOException {
        for (String wording : WORDINGS) {
            Properties english = load(wording + "_en.properties");
            assertThat(english).as(wording).isNotEmpty();
            for (BuiltInLanguage language : BuiltInLanguage.values()) {
                Properties translated = load(wording + "_" + language.tag() + ".properties");
                assertThat(translated.stringPropertyNames()).as(wording + " " + language.tag())
                        .isEqualTo(english.stringPropertyNames());
                for (String key : english.stringPropertyNames()) {
                    assertThat(placeholders(translated.getProperty(key))).as(wording + " " + language.tag() + " " + key)
                            .isEqualTo(placeholders(english.getProperty(key)));
                }
            }
        }
    }

    @Test
    void contactLocalesMapToTheLanguagesWeHave() {
        assertThat(BuiltInLanguage.ofLocale("pl")).isEqualTo(BuiltInLanguage.PL);
        assertThat(BuiltInLanguage.ofLocale("pl-PL")).isEqualTo(BuiltInLanguage.PL);
        assertThat(BuiltInLanguage.ofLocale("sr-Latn")).isEqualTo(BuiltInLanguage.SR_LATN);
        assertThat(BuiltInLanguage.ofLocale("sr_Latn_RS")).isEqualTo(BuiltInLanguage.SR_LATN);
        assertThat(BuiltInLanguage.ofLocale("sr")).isEqualTo(BuiltInLanguage.SR_LATN);
        assertThat(BuiltInLanguage.ofLocale("en-GB")).isEqualTo(BuiltInLanguage.EN);
        assertThat(BuiltInLanguage.ofLocale("de")).isEqualTo(BuiltInLanguage.EN);
        assertThat(BuiltInLanguage.ofLocale(null)).isEqualTo(BuiltInLanguage.EN);
        assertThat(BuiltInLanguage.ofLocale("!!")).isEqualTo(BuiltInLanguage.EN);
    }

    @Test
    void acceptLanguageIsFollowedByWeight() {
        assertThat(BuiltInLanguage.ofAcceptLanguage("de, pl;q=0.5, sr;q=0.7")).isEqualTo(BuiltInLanguage.SR_LATN);
        assertThat(BuiltInLanguage.ofAcceptLanguage("pl;q=0, en;q=0.1")).isEqualTo(BuiltInLanguage.EN);
        assertThat(BuiltInLanguage.ofAcceptLanguage("*")).isEqualTo(BuiltInLanguage.EN);
        assertThat(BuiltInLanguage.ofAcceptLanguage("x".repeat(5000))).isEqualTo(BuiltInLanguage.EN);
        assertThat(BuiltInLanguage.ofAcceptLanguage("pl;q=banana")).isEqualTo(BuiltInLanguage.EN);
    }

    @Test
    void htmlWordingEscapesTheTextAndTheValues() {
        Wording wording = Wording.load(BuiltInWordingTest.class, "test-wording");
        assertThat(wording.html(BuiltInLanguage.PL, "greeting", Map.of("name", "<b>Ania</b> & \"co\"")))
                .isEqualTo("Cześć &lt;3 &lt;b&gt;Ania&lt;/b&gt; &amp; &quot;co&quot;!");
        assertThat(wording.text(BuiltInLanguage.SR_LATN, "greeting", Map.of("name", "Jelena")))
                .as("a key missing from a translation comes in English").isEqualTo("Hello <3 Jelena!");
    }

    private static Properties load(String resource) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = BuiltInWordingTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return properties;
    }

    private static Set<String> placeholders(String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }
}
