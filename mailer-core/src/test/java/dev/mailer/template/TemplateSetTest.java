package dev.mailer.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.audience.Recipient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateSetTest {
    private static final MessageModel.Sender SENDER =
            new MessageModel.Sender("Kawiarnia Nowak sp. z o.o.", "ul. Floriańska 1, Kraków", "iod@kawiarnia.example");

    @TempDir
    Path templates;
    Path dir;

    @BeforeEach
    void templates() throws IOException {
        dir = Files.createDirectories(templates.resolve("news"));
        write("subject.ftl", "Hello ${contact.firstName!\"friend\"}");
        write("subject_pl.ftl", "Cześć ${contact.firstName!\"przyjacielu\"}");
        write("html.ftlh", "<p>en ${contact.name!}</p><a href=\"${unsubscribeUrl}\">unsubscribe</a>");
        write("html_pl.ftlh", "<p>pl ${contact.name!}</p><a href=\"${unsubscribeUrl}\">wypisz</a>");
        write("html_sr_Latn.ftlh", "<p>sr-Latn ${contact.name!}</p><a href=\"${unsubscribeUrl}\">odjava</a>");
        write("text.ftl", "en ${contact.name!}\n${unsubscribeUrl}\n");
        write("text_pl.ftl", "pl ${contact.name!}\n${unsubscribeUrl}\n");
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    private static Recipient recipient(String name, String locale, Map<String, String> attributes) {
        return new Recipient(7, "anna@example.com", "anna@example.com", name, locale, List.of("customers"),
                attributes, "checkout", OffsetDateTime.parse("2025-03-01T10:00:00Z"), null);
    }

    private static Map<String, Object> model(Recipient recipient) {
        return MessageModel.of(recipient, "news-2026-11", "newsletter", SENDER, "https://mail.example/u/TOKEN",
                "https://mail.example/p/TOKEN");
    }

    private RenderedMessage render(String name, String locale) throws TemplateProblem {
        Recipient recipient = recipient(name, locale, Map.of());
        return TemplateSet.load(templates, "news", null).render(model(recipient),
                locale == null ? null : Locale.forLanguageTag(locale));
    }

    @Test
    void localeVariantsAreChosenFromTheContactsLocaleWithFallback() throws TemplateProblem {
        assertThat(render("Anna Nowak", "pl").html()).startsWith("<p>pl ");
        assertThat(render("Anna Nowak", "pl").subject()).isEqualTo("Cześć Anna");
        assertThat(render("Anna Nowak", "pl").text()).startsWith("pl ");
        assertThat(render("Ana", "sr-Latn").html()).startsWith("<p>sr-Latn ");
        assertThat(render("Ana", "sr-Latn").text()).as("no text_sr_Latn.ftl: falls back").startsWith("en ");
        assertThat(render("Ana", "sr-Latn-RS").html()).startsWith("<p>sr-Latn ");
        assertThat(render("Oliver", "en").html()).startsWith("<p>en ");
        assertThat(render("Hans", "de").html()).startsWith("<p>en ");
        assertThat(render(null, null).subject()).isEqualTo("Hello friend");
    }

    @Test
    void htmlIsEscapedAndTextIsNot() throws TemplateProblem {
        RenderedMessage message = render("<script>alert('x')</script> & Co", "en");
        assertThat(message.html()).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co")
                .doesNotContain("<script>");
        assertThat(message.text()).contains("<script>alert('x')</script> & Co");
    }

    @Test
    void templateSyntaxInDataIsNeverExecuted() throws TemplateProblem {
        RenderedMessage message = render("${7*7} <#assign x=1> [#if true]", "en");
        assertThat(message.text()).contains("${7*7} <#assign x=1> [#if true]").doesNotContain("49");
        assertThat(message.html()).contains("${7*7} &lt;#assign x=1&gt;");
    }

    @Test
    void subjectIsOneLineWhateverTheData() throws TemplateProblem {
        RenderedMessage message = render("Anna\r\nBcc: evil@example.com", "en");
        assertThat(message.subject()).isEqualTo("Hello Anna").doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void aMissingValueIsAnErrorNamingFileLineAndExpression() throws IOException {
        write("html_pl.ftlh", "<p>\n${contact.attributes.city}</p>${unsubscribeUrl}");
        assertThatThrownBy(() -> render("Anna", "pl"))
                .isInstanceOf(TemplateProblem.class)
                .hasMessage("templates/news/html_pl.ftlh line 2: contact.attributes.city is missing"
                        .replace("templates/", templates.getFileName() + "/")
                        + " (write ${contact.attributes.city!} or <#if contact.attributes.city??> where it may be absent).")
                .extracting(e -> ((TemplateProblem) e).code()).isEqualTo("template_render");
    }

    private RenderedMessage renderCapped(long cap) throws TemplateProblem {
        return TemplateSet.load(templates, "news", null, cap).render(model(recipient("Anna", null, Map.of())), null);
    }

    @Test
    void aMacroCallingItselfForeverIsAFatalRenderProblemNotAnError() throws Exception {
        write("html.ftlh", "<#function f n><#return f(n + 1)></#function>${f(1)}${unsubscribeUrl}");
        assertThatThrownBy(() -> render("Anna", null))
                .isInstanceOfSatisfying(TemplateProblem.class, p -> {
                    assertThat(p.code()).isEqualTo("template_render");
                    assertThat(p.fatal()).isTrue();
                })
                .hasMessageEndingWith("/news/html.ftlh: a macro or function calls itself without end (rendering ran out"
                        + " of stack).");
        write("html.ftlh", "<p>fine</p>${unsubscribeUrl}");
        assertThat(render("Anna", null).html()).as("the set renders on after it").startsWith("<p>fine</p>");
    }

    @Test
    void theCapCountsTheUtf8BytesOfSubjectHtmlAndTextTogetherAndStopsTheWritingThere() throws Exception {
        write("subject.ftl", "S");
        write("html.ftlh", "${\"ż\"?left_pad(100, \"ż\")}${unsubscribeUrl}"); // 200 bytes + 28
        write("text.ftl", "${unsubscribeUrl}"); // 28
        assertThat(renderCapped(1 + 228 + 28).html()).startsWith("żż");
        assertThatThrownBy(() -> renderCapped(1 + 228 + 27))
                .isInstanceOfSatisfying(TemplateProblem.class, p -> assertThat(p.fatal()).isTrue())
                .hasMessageContaining("/news/text.ftl: the message grew past max-message-size (256 bytes)");

        write("html.ftlh", "<#list 1..1000000000 as i>0123456789</#list>${unsubscribeUrl}");
        long started = System.nanoTime();
        assertThatThrownBy(() -> renderCapped(1024 * 1024))
                .hasMessageContaining("/news/html.ftlh: the message grew past max-message-size (1 MB) and rendering was"
                        + " stopped there");
        assertThat((System.nanoTime() - started) / 1_000_000).as("stopped at the cap").isLessThan(5_000);

        write("html.ftlh", "<#attempt><#list 1..100000 as i>0123456789</#list><#recover>x</#attempt>${unsubscribeUrl}");
        assertThatThrownBy(() -> renderCapped(64 * 1024)).as("what #attempt buffered counts once written")
                .hasMessageContaining("max-message-size (64 KB)");
    }

    @Test
    void aSyntaxErrorInAnyVariantNamesFileAndLineAtLoad() throws IOException {
        write("html_sr_Latn.ftlh", "<p>ok</p>\n<p>${contact.name</p>");
        assertThatThrownBy(() -> TemplateSet.load(templates, "news", null))
                .isInstanceOf(TemplateProblem.class)
                .hasMessageStartingWith(templates.getFileName() + "/news/html_sr_Latn.ftlh line 2: ")
                .extracting(e -> ((TemplateProblem) e).code()).isEqualTo("template_syntax");
    }

    @Test
    void templatesCannotReachJava() throws IOException {
        write("html.ftlh", "<#assign ex=\"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}${unsubscribeUrl}");
        assertThatThrownBy(() -> render("Oliver", "en")).isInstanceOf(TemplateProblem.class);
    }

    @Test
    void missingFolderOrFallbackFileIsReported() throws IOException {
        assertThatThrownBy(() -> TemplateSet.load(templates, "nope", null))
                .isInstanceOf(TemplateProblem.class).hasMessageContaining("does not exist")
                .extracting(e -> ((TemplateProblem) e).code()).isEqualTo("template_missing");
        Files.delete(dir.resolve("text.ftl"));
        assertThatThrownBy(() -> TemplateSet.load(templates, "news", null))
                .hasMessageContaining("has no text.ftl");
        Files.writeString(dir.resolve("text.ftl"), "${unsubscribeUrl}");
        Files.delete(dir.resolve("subject.ftl"));
        assertThatThrownBy(() -> TemplateSet.load(templates, "news", null)).hasMessageContaining("has no subject.ftl");
    }

    @Test
    void theCampaignsSubjectOverridesSubjectFtl() throws TemplateProblem {
        TemplateSet set = TemplateSet.load(templates, "news", "Nowości dla ${contact.name!\"Ciebie\"}");
        assertThat(set.render(model(recipient("Łucja", "pl", Map.of())), Locale.forLanguageTag("pl")).subject())
                .isEqualTo("Nowości dla Łucja");
    }

    @Test
    void wrapBreaksParagraphsForPlainText() throws Exception {
        write("text.ftl", "${wrap(\"Otrzymujesz tę wiadomość, ponieważ zapisałeś się na newsletter Kawiarni Nowak "
                + "w sklepie internetowym i potwierdziłeś zapis.\")}\n${wrap(contact.name!, 20)}\n${unsubscribeUrl}");
        String text = render("Anna Maria Nowak-Kowalska z Krakowa", "en").text();
        assertThat(text.lines().toList()).startsWith(
                "Otrzymujesz tę wiadomość, ponieważ zapisałeś się na newsletter Kawiarni",
                "Nowak w sklepie internetowym i potwierdziłeś zapis.",
                "Anna Maria",
                "Nowak-Kowalska z",
                "Krakowa");
    }

    @Test
    void rendersFromManyThreadsAtOnce() throws Exception {
        TemplateSet set = TemplateSet.load(templates, "news", null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String locale = List.of("pl", "sr-Latn", "en").get(i % 3);
                String name = "Person " + i;
                results.add(pool.submit(() -> {
                    RenderedMessage message = set.render(model(recipient(name, locale, Map.of())),
                            Locale.forLanguageTag(locale));
                    return message.html().startsWith("<p>" + locale + " " + name + "</p>");
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
