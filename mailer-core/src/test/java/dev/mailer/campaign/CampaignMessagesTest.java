package dev.mailer.campaign;

import dev.mailer.message.TestSecret;
import dev.mailer.message.MailboxAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.audience.Recipient;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.message.MessageSettings;
import dev.mailer.message.OutgoingMessage;
import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import dev.mailer.template.MessageModel;
import dev.mailer.template.TemplateProblem;
import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages parsed back with Jakarta Mail: structure, charsets, headers, tokens, and injection attempts. */
class CampaignMessagesTest {
    private static final byte[] SECRET = TestSecret.BYTES;
    private static final TokenSigner TOKENS = TestSecret.SIGNER;

    @TempDir
    Path templates;
    private CampaignSpec spec;
    private MessageSettings settings;

    @BeforeEach
    void setUp() throws IOException {
        Path dir = Files.createDirectories(templates.resolve("news"));
        Files.writeString(dir.resolve("subject.ftl"), "Grudniowe nowości, ${contact.firstName!\"Kliencie\"} — źdźbło żółci");
        Files.writeString(dir.resolve("html.ftlh"), "<p>Dzień dobry ${contact.name!}</p>"
                + "<p>${contact.attributes.note!}</p><a href=\"${unsubscribeUrl}\">wypisz</a>");
        Files.writeString(dir.resolve("text.ftl"), "Dzień dobry ${contact.name!}\n${contact.attributes.note!}\n"
                + "Wypisz: ${unsubscribeUrl}\n");
        spec = CampaignSpec.builder("news-2026-12", "newsletter", "news",
                        new MailboxAddress("Kawiarnia Nowak — Kraków", EmailAddress.parse("news@kawiarnia.example").orElseThrow()))
                .replyTo(new MailboxAddress(null, EmailAddress.parse("kontakt@kawiarnia.example").orElseThrow()))
                .file(templates.resolve("campaign.yaml"))
                .build();
        settings = new MessageSettings(spec.from(), spec.replyTo(),
                new MessageModel.Sender("Kawiarnia Nowak sp. z o.o.", "ul. Floriańska 1", "iod@kawiarnia.example"),
                URI.create("https://mail.kawiarnia.example"), "bounces@kawiarnia.example",
                "unsubscribe@kawiarnia.example", TOKENS, null);
    }

    private static Recipient recipient(String name, Map<String, String> attributes) {
        return new Recipient(42, "Lucja.Sek@Bücher.example", "lucja.sek@xn--bcher-kva.example", name, "pl",
                List.of("customers"), attributes, "checkout", OffsetDateTime.parse("2025-03-01T10:00:00Z"),
                OffsetDateTime.parse("2025-03-01T10:05:00Z"));
    }

    private OutgoingMessage build(Recipient recipient) throws Exception {
        return CampaignMessages.prepare(spec, settings, templates).build(recipient, 9);
    }

    private static MimeMessage parse(OutgoingMessage message) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message.bytes()));
    }

    @Test
    void aMultipartAlternativeMessageWithEveryHeaderTheSpecNames() throws Exception {
        OutgoingMessage outgoing = build(recipient("Łucja Sęk", Map.of()));
        MimeMessage message = parse(outgoing);

        assertThat(message.getContentType()).startsWith("multipart/alternative");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        MimeBodyPart text = (MimeBodyPart) parts.getBodyPart(0);
        MimeBodyPart html = (MimeBodyPart) parts.getBodyPart(1);
        assertThat(text.getContentType()).isEqualToIgnoringCase("text/plain; charset=UTF-8");
        assertThat(html.getContentType()).isEqualToIgnoringCase("text/html; charset=UTF-8");
        assertThat(text.getEncoding()).isIn("quoted-printable", "base64");
        assertThat((String) text.getContent()).startsWith("Dzień dobry Łucja Sęk");
        assertThat((String) html.getContent()).contains("<p>Dzień dobry Łucja Sęk</p>");

        assertThat(message.getSubject()).isEqualTo("Grudniowe nowości, Łucja — źdźbło żółci");
        assertThat(message.getHeader("Subject")[0]).startsWith("=?UTF-8?").doesNotContain("ł");
        InternetAddress from = (InternetAddress) message.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("news@kawiarnia.example");
        assertThat(from.getPersonal()).isEqualTo("Kawiarnia Nowak — Kraków");
        InternetAddress to = (InternetAddress) message.getRecipients(MimeMessage.RecipientType.TO)[0];
        assertThat(to.getAddress()).isEqualTo("Lucja.Sek@xn--bcher-kva.example");
        assertThat(to.getPersonal()).isEqualTo("Łucja Sęk");
        assertThat(((InternetAddress) message.getReplyTo()[0]).getAddress()).isEqualTo("kontakt@kawiarnia.example");
        assertThat(message.getSentDate()).isNotNull();
        assertThat(message.getMessageID()).matches("<[0-9a-f]{32}@kawiarnia\\.example>").isEqualTo(outgoing.messageId());

        String listUnsubscribe = message.getHeader("List-Unsubscribe")[0];
        assertThat(listUnsubscribe).matches("<https://mail\\.kawiarnia\\.example/u/[A-Za-z0-9_-]+>, "
                + "<mailto:unsubscribe\\+[A-Za-z0-9_-]+@kawiarnia\\.example>");
        assertThat(message.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(message.getHeader("Feedback-ID")[0]).isEqualTo("news-2026-12:newsletter:kawiarnia.example:mailer");

        String urlToken = listUnsubscribe.substring(listUnsubscribe.indexOf("/u/") + 3, listUnsubscribe.indexOf('>'));
        Token unsubscribe = TOKENS.verify(urlToken, Token.Kind.UNSUBSCRIBE).orElseThrow();
        assertThat(unsubscribe.campaignId()).isEqualTo(9);
        assertThat(unsubscribe.contactId()).isEqualTo(42);
        assertThat((String) text.getContent()).contains("https://mail.kawiarnia.example/u/" + urlToken);

        assertThat(outgoing.envelopeFrom()).matches("bounces\\+[A-Za-z0-9_-]+@kawiarnia\\.example");
        assertThat(outgoing.envelopeFrom().indexOf('@')).isLessThanOrEqualTo(64);
        String bounceToken = outgoing.envelopeFrom().substring("bounces+".length(), outgoing.envelopeFrom().indexOf('@'));
        Token bounce = TOKENS.verify(bounceToken, Token.Kind.BOUNCE).orElseThrow();
        assertThat(bounce.campaignId()).isEqualTo(9);
        assertThat(bounce.contactId()).isEqualTo(42);
        assertThat(TOKENS.verify(bounceToken, Token.Kind.UNSUBSCRIBE)).as("a bounce token does not unsubscribe").isEmpty();
        assertThat(outgoing.recipient()).isEqualTo("Lucja.Sek@xn--bcher-kva.example");
    }

    @Test
    void everyLineIsShorterThan998OctetsAndMessageIdsAreUnique() throws Exception {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            OutgoingMessage outgoing = build(recipient("Anna " + i, Map.of("note", "ż".repeat(5000))));
            assertThat(ids.add(outgoing.messageId())).isTrue();
            for (String line : new String(outgoing.bytes(), StandardCharsets.ISO_8859_1).split("\r\n")) {
                assertThat(line.length()).isLessThan(998);
            }
        }
    }

    @Test
    void dataCannotAddHeadersOrMarkup() throws Exception {
        String hostile = "Jan\r\nBcc: victim@example.com\r\nSubject: pwned\n<script>alert(1)</script> ${7*7} <#if true>x</#if>";
        OutgoingMessage outgoing = build(recipient(hostile, Map.of("note", hostile + "A".repeat(10_000))));
        MimeMessage message = parse(outgoing);

        assertThat(message.getHeader("Bcc")).isNull();
        assertThat(message.getHeader("Subject")).hasSize(1);
        Address[] all = message.getAllRecipients();
        assertThat(all).hasSize(1);
        assertThat(((InternetAddress) all[0]).getAddress()).isEqualTo("Lucja.Sek@xn--bcher-kva.example");
        assertThat(((InternetAddress) all[0]).getPersonal()).doesNotContain("\n").doesNotContain("\r");
        assertThat(message.getSubject()).isEqualTo("Grudniowe nowości, Jan — źdźbło żółci");
        String html = (String) ((MimeMultipart) message.getContent()).getBodyPart(1).getContent();
        assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;").contains("${7*7}").doesNotContain("49");
        String raw = new String(outgoing.bytes(), StandardCharsets.ISO_8859_1);
        String headers = raw.substring(0, raw.indexOf("\r\n\r\n"));
        assertThat(Arrays.stream(headers.split("\r\n")).filter(l -> l.toLowerCase().startsWith("bcc:"))).isEmpty();
        assertThat(Arrays.stream(headers.split("\r\n")).filter(l -> l.startsWith("Subject:"))).hasSize(1);
    }

    @Test
    void aTenKilobyteNameKeepsHeadersShort() throws Exception {
        OutgoingMessage outgoing = build(recipient("Ż".repeat(10_000), Map.of()));
        MimeMessage message = parse(outgoing);
        assertThat(((InternetAddress) message.getRecipients(MimeMessage.RecipientType.TO)[0]).getPersonal())
                .hasSizeLessThanOrEqualTo(250);
        String raw = new String(outgoing.bytes(), StandardCharsets.ISO_8859_1);
        for (String line : raw.substring(0, raw.indexOf("\r\n\r\n")).split("\r\n")) {
            assertThat(line.length()).isLessThan(998);
        }
    }

    @Test
    void aTemplateWithoutTheUnsubscribeLinkIsRefused() throws Exception {
        Files.writeString(templates.resolve("news/html.ftlh"), "<p>no way out</p>");
        CampaignMessages messages = CampaignMessages.prepare(spec, settings, templates);
        assertThatThrownBy(() -> messages.render(recipient("Anna", Map.of()), 9))
                .isInstanceOf(TemplateProblem.class)
                .hasMessageContaining("HTML part").hasMessageContaining("unsubscribeUrl")
                .extracting(e -> ((TemplateProblem) e).code()).isEqualTo("template_unsubscribe");
    }

    @Test
    void aMissingSenderInvalidatesTheCampaign() {
        MessageSettings noSender = new MessageSettings(spec.from(), null, new MessageModel.Sender(null, null, null),
                URI.create("https://mail.kawiarnia.example"), "bounces@kawiarnia.example",
                "unsubscribe@kawiarnia.example", TOKENS, null);
        assertThatThrownBy(() -> CampaignMessages.prepare(spec, noSender, templates))
                .isInstanceOf(CampaignInvalid.class)
                .satisfies(e -> assertThat(((CampaignInvalid) e).errors()).extracting(CampaignError::code)
                        .containsExactly("sender_missing"));
    }
}
