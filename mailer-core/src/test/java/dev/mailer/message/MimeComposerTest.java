package dev.mailer.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.contacts.EmailAddress;
import dev.mailer.template.HeaderText;
import dev.mailer.template.RenderedMessage;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our composer's bytes, read back by Jakarta Mail's parser: every header and part as given, every line legal. */
class MimeComposerTest {

    private static final String UNSUBSCRIBE_URL = "https://mail.kawiarnia.example/u/"
            + "AQAAAAAAAAAJAAAAAAAAACoAAAAAAABOPQ.x7Kq_ZbC-3dE9fGhIjKlMnOpQrStUvWxYz0123456789abcdef";
    private static final String UNSUBSCRIBE_MAILTO = "unsubscribe+AQAAAAAAAAAJAAAAAAAAACoAAAAAAABOPQ@kawiarnia.example";
    private static final String FEEDBACK_ID = "news-2026-12:newsletter:kawiarnia.example:mailer";
    /** Polish, Serbian Cyrillic and Latin, emoji (a ZWJ sequence among them) and combining marks. */
    private static final String MIXED = "Zażółć gęślą jaźń — Ђорђе Шћекић čita 😀☕👩‍👩‍👧 e\u0301 Z\u0307 a\u0328\u0301 ";

    private final MimeComposer composer = new MimeComposer();

    @TempDir
    Path temp;

    private static MailboxAddress mailbox(String name, String address) {
        return new MailboxAddress(name, EmailAddress.parse(address).orElseThrow());
    }

    private static MimeComposer.Envelope envelope(String fromName, String replyToName, String toAddress, String toName) {
        return new MimeComposer.Envelope(mailbox(fromName, "news@kawiarnia.example"),
                replyToName == null ? null : mailbox(replyToName, "biuro@kawiarnia.example"), toAddress, toName,
                UNSUBSCRIBE_URL, UNSUBSCRIBE_MAILTO, FEEDBACK_ID, "kawiarnia.example");
    }

    private static RenderedMessage content(String subject) {
        return new RenderedMessage(subject, "<p>Dzień dobry</p>", "Dzień dobry\n");
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return parse(bytes, new Properties());
    }

    private static MimeMessage parse(byte[] bytes, Properties properties) throws Exception {
        return new MimeMessage(Session.getInstance(properties), new ByteArrayInputStream(bytes));
    }

    private static String repeatTo(String seed, int length) {
        StringBuilder b = new StringBuilder();
        while (b.length() < length) {
            b.append(seed);
        }
        return b.toString();
    }

    /** The header's lines, CRLF removed; also checks that the whole message is lines of CRLF, legal length, no NUL. */
    private static List<String> headerLines(byte[] bytes) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        boolean inHeader = true;
        for (int i = 0; i < bytes.length; i++) {
            assertThat(bytes[i]).as("NUL at %d", i).isNotZero();
            if (bytes[i] == '\r' || bytes[i] == '\n') {
                assertThat(bytes[i] == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n')
                        .as("bare CR or LF at %d", i).isTrue();
                assertThat(i - start).as("octets in the line at %d", start).isLessThanOrEqualTo(998);
                if (inHeader) {
                    if (i == start) {
                        inHeader = false;
                    } else {
                        lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                    }
                }
                i++;
                start = i + 1;
            }
        }
        assertThat(start).as("the message ends in CRLF").isEqualTo(bytes.length);
        return lines;
    }

    /** The raw field, folds included, as a sequence of its lines. */
    private static List<String> field(byte[] bytes, String name) {
        List<String> found = new ArrayList<>();
        boolean in = false;
        for (String line : headerLines(bytes)) {
            if (line.startsWith(" ") || line.startsWith("\t")) {
                if (in) {
                    found.add(line);
                }
            } else {
                in = line.regionMatches(true, 0, name + ":", 0, name.length() + 1);
                if (in) {
                    found.add(line);
                }
            }
        }
        return found;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Kawiarnia Nowak", "Nowak, Jan \"JN\"", "a.b", "back\\slash \\\" end", "O'Brien & Sons!",
            "Kawiarnia (Krakow) <news>", "semi;colon: [x] @home", "Zażółć Gęślą Jaźń", "Ђорђе Шћекић",
            "Kawiarnia ☕ Łódź 😀👩‍👩‍👧", "Nowak, Łucja \"Ł\"", "=?UTF-8?B?eA==?= looks encoded",
            "Kawiarnia Nowak i Wspolnicy Spolka z ograniczona odpowiedzialnoscia Oddzial w Krakowie",
            "Bardzo długa nazwa nadawcy z Łodzi, która zajmuje kilka słów zakodowanych i więcej niż jedną linię nagłówka"})
    void displayNamesDecodeBackExactly(String name) throws Exception {
        byte[] bytes = composer.compose(envelope(name, name, "jan@example.pl", name), content("Test")).bytes();
        MimeMessage message = parse(bytes);

        InternetAddress from = (InternetAddress) message.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("news@kawiarnia.example");
        assertThat(from.getPersonal()).isEqualTo(name);
        InternetAddress replyTo = (InternetAddress) message.getReplyTo()[0];
        assertThat(replyTo.getAddress()).isEqualTo("biuro@kawiarnia.example");
        assertThat(replyTo.getPersonal()).isEqualTo(name);
        InternetAddress to = (InternetAddress) message.getRecipients(MimeMessage.RecipientType.TO)[0];
        assertThat(to.getAddress()).isEqualTo("jan@example.pl");
        assertThat(to.getPersonal()).isEqualTo(name);
        for (String line : headerLines(bytes)) {
            if (!line.startsWith("List-Unsubscribe:")) {
                assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
            }
        }
    }

    @Test
    void plainNamesAreAtomsAndOthersQuotedOrEncoded() throws Exception {
        byte[] bytes = composer.compose(envelope("Kawiarnia Nowak", "O'Brien & Sons!", "jan@example.pl",
                "Nowak, Jan \"JN\" \\"), content("Test")).bytes();
        assertThat(field(bytes, "From")).containsExactly("From: Kawiarnia Nowak <news@kawiarnia.example>");
        assertThat(field(bytes, "Reply-To")).containsExactly("Reply-To: O'Brien & Sons! <biuro@kawiarnia.example>");
        assertThat(field(bytes, "To")).containsExactly("To: \"Nowak, Jan \\\"JN\\\" \\\\\" <jan@example.pl>");
        List<String> encoded = field(composer.compose(envelope("Łódź", null, "jan@example.pl", null),
                content("Test")).bytes(), "From");
        assertThat(encoded).containsExactly("From: =?UTF-8?B?" + Base64.getEncoder().encodeToString(
                "Łódź".getBytes(StandardCharsets.UTF_8)) + "?= <news@kawiarnia.example>");
    }

    @Test
    void withoutANameTheAddressStandsAloneAndReplyToOnlyWhenSet() throws Exception {
        for (String none : new String[] {null, "", " \t "}) {
            byte[] bytes = composer.compose(envelope(null, null, "jan@example.pl", none), content("Test")).bytes();
            MimeMessage message = parse(bytes);
            assertThat(field(bytes, "To")).containsExactly("To: jan@example.pl");
            assertThat(field(bytes, "From")).containsExactly("From: news@kawiarnia.example");
            assertThat(((InternetAddress) message.getFrom()[0]).getPersonal()).isNull();
            assertThat(((InternetAddress) message.getRecipients(MimeMessage.RecipientType.TO)[0]).getPersonal()).isNull();
            assertThat(message.getHeader("Reply-To")).isNull();
        }
    }

    @Test
    void aNonAsciiLocalPartIsWrittenAsUtf8() throws Exception {
        byte[] bytes = composer.compose(envelope("Kawiarnia", null, "żółw.Łucja@bücher.example", "Łucja"),
                content("Test")).bytes();
        assertThat(field(bytes, "To")).containsExactly("To: =?UTF-8?B?xYF1Y2ph?= <żółw.Łucja@bücher.example>");
        Properties utf8 = new Properties();
        utf8.setProperty("mail.mime.allowutf8", "true");
        InternetAddress to = (InternetAddress) parse(bytes, utf8).getRecipients(MimeMessage.RecipientType.TO)[0];
        assertThat(to.getAddress()).isEqualTo("żółw.Łucja@bücher.example");
        assertThat(to.getPersonal()).isEqualTo("Łucja");
    }

    @Test
    void subjectsDecodeBackExactly() throws Exception {
        String longAscii = repeatTo("Grudniowe nowosci z kawiarni, numer 12: kawa, sernik i szarlotka. ", 300);
        String longMixed = repeatTo(MIXED, 300);
        String[] subjects = {"Grudniowe nowości", "Plain ASCII subject", longAscii, longMixed,
                "A" + "x".repeat(249), "Price =?UTF-8?Q?x?= is not encoded text", "x", "ąęłńóśźż"};
        for (String raw : subjects) {
            String subject = HeaderText.clean(raw);
            byte[] bytes = composer.compose(envelope("Kawiarnia", null, "jan@example.pl", null), content(raw)).bytes();
            assertThat(parse(bytes).getSubject()).isEqualTo(subject);
            List<String> lines = field(bytes, "Subject");
            boolean unbreakable = !subject.contains(" ") && subject.chars().allMatch(c -> c < 128);
            for (String line : lines) {
                assertThat(line.length()).as(line).isLessThanOrEqualTo(unbreakable ? 998 : 78);
            }
            if (subject.chars().allMatch(c -> c < 128) && !subject.contains("=?")) {
                assertThat(String.join("", lines)).isEqualTo("Subject: " + subject);
            } else {
                assertWholeCharactersPerEncodedWord(lines, subject);
            }
        }
        assertThat(field(composer.compose(envelope("K", null, "jan@example.pl", null), content(longMixed)).bytes(),
                "Subject").size()).isGreaterThan(5);
        assertThat(field(composer.compose(envelope("K", null, "jan@example.pl", null), content(longAscii)).bytes(),
                "Subject").size()).isGreaterThan(3);
    }

    /** Each encoded-word at most 75 characters, and valid UTF-8 by itself: no character split across words. */
    private static void assertWholeCharactersPerEncodedWord(List<String> lines, String subject) throws Exception {
        Matcher word = Pattern.compile("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=").matcher(String.join("\r\n", lines));
        StringBuilder decoded = new StringBuilder();
        int words = 0;
        while (word.find()) {
            words++;
            assertThat(word.group().length()).isLessThanOrEqualTo(75);
            decoded.append(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getDecoder().decode(word.group(1)))));
        }
        assertThat(words).isPositive();
        assertThat(decoded.toString()).isEqualTo(subject);
    }

    @Test
    void dateMessageIdAndListHeaders() throws Exception {
        MimeComposer.Composed composed = composer.compose(envelope("Kawiarnia", "Biuro", "jan@example.pl", "Jan"),
                content("Test"));
        byte[] bytes = composed.bytes();
        MimeMessage message = parse(bytes);

        assertThat(field(bytes, "Date")).singleElement().asString()
                .matches("Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [1-9][0-9]? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct"
                        + "|Nov|Dec) [0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [+-][0-9]{4}");
        assertThat(Math.abs(message.getSentDate().getTime() - new Date().getTime())).isLessThan(60_000);

        assertThat(composed.messageId()).matches("<[0-9a-f]{32}@kawiarnia\\.example>");
        assertThat(message.getMessageID()).isEqualTo(composed.messageId());
        assertThat(composer.compose(envelope("K", null, "jan@example.pl", null), content("Test")).messageId())
                .isNotEqualTo(composed.messageId());

        assertThat(message.getHeader("List-Unsubscribe", null))
                .isEqualTo("<" + UNSUBSCRIBE_URL + ">, <mailto:" + UNSUBSCRIBE_MAILTO + ">");
        assertThat(message.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(message.getHeader("Feedback-ID", null)).isEqualTo(FEEDBACK_ID);
        assertThat(message.getHeader("MIME-Version", null)).isEqualTo("1.0");

        List<String> names = new ArrayList<>();
        for (String line : headerLines(bytes)) {
            if (!line.startsWith(" ")) {
                names.add(line.substring(0, line.indexOf(':')));
            }
        }
        assertThat(names).containsExactly("Date", "From", "Reply-To", "To", "Message-ID", "Subject", "MIME-Version",
                "List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID", "Content-Type");
    }

    @Test
    void partsDecodeBackToTheirText() throws Exception {
        String html = "<!DOCTYPE html><html><body><p style=\"color:#333\">" + "Kawa z Łodzi, sernik z Gdańska. ".repeat(200)
                + "</p>\n.\n.leading dot\nFrom the kitchen\nFrom \ntrailing spaces   \n\ttab\t\n"
                + "------=_mailer_0123456789abcdef01234567\n--\n=_=3D=\n" + "x".repeat(2000) + "</body></html>";
        String text = "Dzień dobry!\n\n.\nFrom here on\ntrailing   \n" + repeatTo("Zażółć gęślą jaźń. ", 3000) + "\nend";
        String mostlyCyrillic = "Добар дан, Ђорђе! Шта има ново у кафани? 😀☕\n" + "Ћевапи и ајвар. ".repeat(100);
        assertThat(MimeComposer.transferEncoding(mostlyCyrillic)).isEqualTo("base64");
        assertThat(MimeComposer.transferEncoding(html)).isEqualTo("quoted-printable");

        for (String[] body : new String[][] {{html, text}, {mostlyCyrillic, mostlyCyrillic}, {"", ""}}) {
            byte[] bytes = composer.compose(envelope("Kawiarnia", null, "jan@example.pl", null),
                    new RenderedMessage("Test", body[0], body[1])).bytes();
            headerLines(bytes);
            MimeMessage message = parse(bytes);
            assertThat(message.getContentType()).startsWith("multipart/alternative;");
            MimeMultipart parts = (MimeMultipart) message.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertPart((MimeBodyPart) parts.getBodyPart(0), "text/plain", body[1]);
            assertPart((MimeBodyPart) parts.getBodyPart(1), "text/html", body[0]);
        }
    }

    private static void assertPart(MimeBodyPart part, String type, String content) throws Exception {
        String encoding = MimeComposer.transferEncoding(content);
        assertThat(part.getContentType()).isEqualTo(type + "; charset=UTF-8");
        assertThat(part.getEncoding()).isEqualTo(encoding);
        // quoted-printable carries line breaks as CRLF; base64 carries the text's own
        String expected = encoding.equals("quoted-printable") ? content.replace("\n", "\r\n") : content;
        assertThat((String) part.getContent()).isEqualTo(expected);
    }

    @Test
    void aSignedMessageVerifies() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        Path key = temp.resolve("dkim.pem");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        DkimSigner signer = DkimSigner.load("kawiarnia.example", "mail2026", key);

        byte[] bytes = composer.compose(envelope("Kawiarnia Łódź 😀", "Nowak, Jan", "jan@example.pl",
                repeatTo(MIXED, 200)), new RenderedMessage(repeatTo(MIXED, 250), "<p>Dzień dobry</p>\n.\n",
                "Dzień dobry  \nFrom x\n")).bytes();
        byte[] signed = signer.sign(bytes);
        assertThat(DkimSignerTest.Verifier.verify(signed, keys.getPublic())).isEqualTo(DkimSignerTest.Verifier.PASS);
        String header = new String(signed, StandardCharsets.US_ASCII);
        assertThat(DkimSignerTest.Verifier.tags(header.substring(0, header.indexOf("\r\nDate:"))).get("h"))
                .isEqualTo("from:from:to:subject:date:message-id:reply-to:list-unsubscribe:list-unsubscribe-post:"
                        + "feedback-id:mime-version:content-type");
    }
}
