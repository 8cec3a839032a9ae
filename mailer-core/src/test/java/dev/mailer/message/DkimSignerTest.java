package dev.mailer.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DkimSignerTest {

    private static KeyPair keys;
    private static KeyPair otherKeys;

    @TempDir
    Path temp;

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        otherKeys = generator.generateKeyPair();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private DkimSigner signer() throws Exception {
        Path file = temp.resolve("dkim.pem");
        if (!Files.exists(file)) {
            Files.writeString(file, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }
        return DkimSigner.load("kawiarnia.example", "mail2026", file);
    }

    /** A newsletter as the sending code builds it: about 2 KB, Polish text, multipart/alternative. */
    static byte[] message(int n) throws Exception {
        Session session = Session.getInstance(new Properties());
        MimeMessage msg = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", "<c42." + n + ".x7Kq@kawiarnia.example>");
            }
        };
        msg.setFrom(new InternetAddress("newsletter@kawiarnia.example", "Kawiarnia Łódź — Żółć i Gęś", "UTF-8"));
        msg.setRecipient(Message.RecipientType.TO,
                new InternetAddress("jan" + n + "@example.pl", "Zażółć Gęślą Jaźń " + n, "UTF-8"));
        msg.setReplyTo(new InternetAddress[] {new InternetAddress("biuro@kawiarnia.example", "Biuro Kawiarni Świętej Ćmy", "UTF-8")});
        msg.setSubject("Nowości w październiku: żółta gęś, ćma i źdźbło — numer " + n, "UTF-8");
        msg.setSentDate(new Date(1_795_000_000_000L));
        String token = "Ab3_x-" + n + "Qz9kLmN0pQrStUvWxYz012345";
        msg.setHeader("List-Unsubscribe", MimeUtility.fold(18, "<https://mail.kawiarnia.example/u/" + token
                + ">, <mailto:unsubscribe+" + token + "@kawiarnia.example>"));
        msg.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        msg.setHeader("Feedback-ID", "42:newsletter:kawiarnia");
        msg.setHeader("X-Campaign", "c42");

        StringBuilder text = new StringBuilder("Dzień dobry, Janie " + n + "!\n\n");
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body><table role=\"presentation\" width=\"100%\">"
                + "<tr><td style=\"font-family:Arial,sans-serif;color:#333\">Dzień dobry, Janie " + n + "!</td></tr>");
        for (int i = 0; i < 6; i++) {
            text.append("W tym miesiącu: kawa z Łodzi, sernik z Gdańska i źdźbło trawy nr ").append(i).append(".  \n");
            html.append("<tr><td style=\"padding:4px 0\">Kawa z Łodzi, sernik z Gdańska, pozycja ").append(i)
                    .append("</td></tr>");
        }
        text.append("\nWypisz się: https://mail.kawiarnia.example/u/").append(token).append("\n\n\n");
        html.append("<tr><td><a href=\"https://mail.kawiarnia.example/u/").append(token)
                .append("\">Wypisz się</a></td></tr></table></body></html>");
        MimeBodyPart textPart = new MimeBodyPart();
        textPart.setText(text.toString(), "UTF-8", "plain");
        textPart.setHeader("Content-Transfer-Encoding", "quoted-printable");
        MimeBodyPart htmlPart = new MimeBodyPart();
        htmlPart.setText(html.toString(), "UTF-8", "html");
        htmlPart.setHeader("Content-Transfer-Encoding", "quoted-printable");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(textPart);
        alternative.addBodyPart(htmlPart);
        msg.setContent(alternative);
        msg.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        msg.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void signatureVerifiesWithAnIndependentVerifier() throws Exception {
        byte[] message = message(1);
        byte[] signed = signer().sign(message);
        String text = new String(signed, StandardCharsets.US_ASCII);

        assertThat(text).startsWith("DKIM-Signature:");
        int headerEnd = text.indexOf("\r\n", text.indexOf("\r\n") + 1);
        while (text.charAt(headerEnd + 2) == ' ' || text.charAt(headerEnd + 2) == '\t') {
            headerEnd = text.indexOf("\r\n", headerEnd + 2);
        }
        byte[] rest = new byte[signed.length - headerEnd - 2];
        System.arraycopy(signed, headerEnd + 2, rest, 0, rest.length);
        assertThat(rest).as("the message follows unchanged").isEqualTo(message);

        Map<String, String> tags = Verifier.tags(text.substring(0, headerEnd));
        assertThat(tags).containsEntry("v", "1").containsEntry("a", "rsa-sha256")
                .containsEntry("c", "relaxed/relaxed").containsEntry("d", "kawiarnia.example")
                .containsEntry("s", "mail2026").containsKey("t");
        assertThat(tags.get("h")).isEqualTo("from:from:to:subject:date:message-id:reply-to:list-unsubscribe:"
                + "list-unsubscribe-post:feedback-id:mime-version:content-type");
        for (String line : text.split("\r\n")) {
            assertThat(line.length()).isLessThan(998);
        }
        for (String line : text.substring(0, headerEnd).split("\r\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(tags.get("h").length() + 4);
        }

        assertThat(Verifier.verify(signed, keys.getPublic())).isEqualTo(Verifier.PASS);
        System.out.println(text.substring(0, headerEnd));
    }

    @Test
    void aModifiedBodyOrSubjectOrAddedFromFails() throws Exception {
        byte[] signed = signer().sign(message(2));
        String text = new String(signed, StandardCharsets.US_ASCII);
        assertThat(Verifier.verify(signed, keys.getPublic())).isEqualTo(Verifier.PASS);

        String body = text.replaceFirst("Kawa z =C5=81odzi", "Kawa z Krakowa");
        assertThat(body).isNotEqualTo(text);
        assertThat(Verifier.verify(ascii(body), keys.getPublic())).contains("body hash");

        String appended = text + "PS. Promocja!\r\n";
        assertThat(Verifier.verify(ascii(appended), keys.getPublic())).contains("body hash");

        Matcher subject = Pattern.compile("\r\nSubject: [^\r]*(\r\n[ \t][^\r]*)*").matcher(text);
        assertThat(subject.find()).isTrue();
        String otherSubject = text.substring(0, subject.start()) + "\r\nSubject: Wygrana! Kliknij tutaj"
                + text.substring(subject.end());
        assertThat(Verifier.verify(ascii(otherSubject), keys.getPublic())).contains("signature");

        String oneCharSubject = text.substring(0, subject.start()) + subject.group().replaceFirst("Nowo", "Nowe")
                + text.substring(subject.end());
        assertThat(oneCharSubject).isNotEqualTo(text);
        assertThat(Verifier.verify(ascii(oneCharSubject), keys.getPublic())).contains("signature");

        int firstFrom = text.indexOf("\r\nFrom: ");
        String secondFrom = text.substring(0, firstFrom) + "\r\nFrom: ceo@bank.example" + text.substring(firstFrom);
        assertThat(Verifier.verify(ascii(secondFrom), keys.getPublic())).contains("signature");

        assertThat(Verifier.verify(signed, otherKeys.getPublic())).contains("signature");
    }

    @Test
    void relaxedCanonicalizationToleratesWhatRelaysDo() throws Exception {
        String text = new String(signer().sign(message(3)), StandardCharsets.US_ASCII);
        // a relay adds trace headers above, and refolds or respaces a header
        String relayed = "Received: from relay1.internal by mx.example.pl; Mon, 23 Nov 2026 14:00:00 +0100\r\n"
                + text.replace("\r\nList-Unsubscribe-Post: ", "\r\nlist-unsubscribe-post:   \t ")
                        .replace("\r\nFeedback-ID: 42:newsletter:kawiarnia", "\r\nFeedback-ID: 42:newsletter:kawiarnia  ");
        assertThat(Verifier.verify(ascii(relayed), keys.getPublic())).isEqualTo(Verifier.PASS);
        // and an unsigned header may change
        assertThat(Verifier.verify(ascii(text.replace("X-Campaign: c42", "X-Campaign: c43")), keys.getPublic()))
                .isEqualTo(Verifier.PASS);
        // trailing blank lines of the body do not count either
        assertThat(Verifier.verify(ascii(text + "\r\n\r\n"), keys.getPublic())).isEqualTo(Verifier.PASS);
    }

    @Test
    void onlyHeadersThatArePresentAreSignedAndBareLineFeedsAreMadeCrlf() throws Exception {
        String minimal = "From: a@kawiarnia.example\nSubject: Test\nMIME-Version: 1.0\n\nHello  \nworld\n";
        byte[] signed = signer().sign(minimal.getBytes(StandardCharsets.US_ASCII));
        String text = new String(signed, StandardCharsets.US_ASCII);
        assertThat(text).endsWith("\r\nFrom: a@kawiarnia.example\r\nSubject: Test\r\nMIME-Version: 1.0\r\n\r\nHello  \r\nworld\r\n");
        assertThat(text).doesNotContain("\r\r").doesNotContainPattern("[^\r]\n");
        String header = text.substring(0, text.indexOf("\r\nFrom:"));
        assertThat(Verifier.tags(header).get("h")).isEqualTo("from:from:subject:mime-version");
        assertThat(Verifier.verify(signed, keys.getPublic())).isEqualTo(Verifier.PASS);
    }

    @Test
    void aMessageWithoutFromIsRefused() throws Exception {
        DkimSigner signer = signer();
        assertThatThrownBy(() -> signer.sign("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(MailerException.class).hasMessageContaining("From");
    }

    @Test
    void signsFromSeveralThreadsAtOnce() throws Exception {
        DkimSigner signer = signer();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = 100 + i;
                results.add(pool.submit((Callable<String>) () -> {
                    byte[] signed = signer.sign(message(n));
                    String verdict = Verifier.verify(signed, keys.getPublic());
                    String to = new String(signed, StandardCharsets.US_ASCII);
                    return to.contains("jan" + n + "@example.pl") ? verdict : "wrong message";
                }));
            }
            for (Future<String> result : results) {
                assertThat(result.get()).isEqualTo(Verifier.PASS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Prints the cost of a signature; no timing assertion (machines and their load differ). */
    @Test
    void signingCost() throws Exception {
        DkimSigner signer = signer();
        byte[] message = message(7);
        int rounds = 300;
        for (int i = 0; i < 300; i++) {
            signer.sign(message);
        }
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            signer.sign(message);
        }
        long perSignature = (System.nanoTime() - start) / rounds / 1000;
        long rsaOnly = bareSignature("SHA256withRSA", keys.getPrivate(), rounds);
        long ed25519 = bareSignature("Ed25519", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate(),
                rounds);
        System.out.printf("DKIM rsa-sha256 (RSA-2048), %d-byte message: %d µs per signature, one thread; for comparison"
                + " the bare JDK RSA-2048 signature %d µs and a bare JDK Ed25519 signature %d µs%n",
                message.length, perSignature, rsaOnly, ed25519);
        assertThat(perSignature).isPositive();
    }

    private static long bareSignature(String algorithm, PrivateKey key, int rounds) throws Exception {
        Signature signature = Signature.getInstance(algorithm);
        byte[] data = new byte[600];
        long start = 0;
        for (int i = -rounds; i < rounds; i++) {
            if (i == 0) {
                start = System.nanoTime();
            }
            signature.initSign(key);
            signature.update(data);
            signature.sign();
        }
        return (System.nanoTime() - start) / rounds / 1000;
    }

    @Test
    void badKeyFilesAreUsageErrorsNamingTheFileButNotTheKey() throws Exception {
        String keyText = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());

        Path missing = temp.resolve("missing-dkim.pem");
        assertUsage(missing, "missing-dkim.pem", "does not exist");

        Path garbage = temp.resolve("garbage.pem");
        Files.writeString(garbage, "this is not a key\n");
        assertUsage(garbage, "garbage.pem", "PKCS#8");

        Path pkcs1 = temp.resolve("pkcs1.pem");
        Files.writeString(pkcs1, pem("RSA PRIVATE KEY", keys.getPrivate().getEncoded()));
        assertUsage(pkcs1, "pkcs1.pem", "openssl pkcs8");

        Path truncated = temp.resolve("truncated.pem");
        String full = pem("PRIVATE KEY", keys.getPrivate().getEncoded());
        Files.writeString(truncated, full.substring(0, 200) + "\n-----END PRIVATE KEY-----\n");
        assertUsage(truncated, "truncated.pem", "RSA");

        Path publicKey = temp.resolve("public.pem");
        Files.writeString(publicKey, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
        assertUsage(publicKey, "public.pem", "BEGIN PRIVATE KEY");

        for (String algorithm : new String[] {"EC", "Ed25519"}) {
            KeyPair other = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
            Path file = temp.resolve(algorithm.toLowerCase(Locale.ROOT) + ".pem");
            Files.writeString(file, pem("PRIVATE KEY", other.getPrivate().getEncoded()));
            assertUsage(file, file.getFileName().toString(), "not an RSA private key");
        }

        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(512);
        Path weak = temp.resolve("weak.pem");
        Files.writeString(weak, pem("PRIVATE KEY", small.generateKeyPair().getPrivate().getEncoded()));
        assertUsage(weak, "weak.pem", "too weak");

        Path directory = Files.createDirectory(temp.resolve("keydir"));
        assertUsage(directory, "keydir", "directory");

        for (Path file : new Path[] {garbage, pkcs1, truncated}) {
            try {
                DkimSigner.load("kawiarnia.example", "mail2026", file);
            } catch (MailerException e) {
                for (int i = 0; i + 16 <= keyText.length(); i += 16) {
                    assertThat(e.getMessage()).doesNotContain(keyText.substring(i, i + 16));
                }
            }
        }
    }

    @Test
    void badDomainOrSelectorIsAUsageError() throws Exception {
        signer();
        Path file = temp.resolve("dkim.pem");
        for (String[] bad : new String[][] {{"kawiarnia.example; x=1", "s"}, {"", "s"}, {"kawiarnia.example", "a b"},
                {"kawiarnia.example", "s;h=to"}, {null, "s"}}) {
            assertThatThrownBy(() -> DkimSigner.load(bad[0], bad[1], file))
                    .isInstanceOf(MailerException.class)
                    .satisfies(e -> assertThat(((MailerException) e).kind()).isEqualTo(ErrorKind.CONFIG));
        }
    }

    private static void assertUsage(Path file, String fileName, String why) {
        assertThatThrownBy(() -> DkimSigner.load("kawiarnia.example", "mail2026", file))
                .isInstanceOf(MailerException.class)
                .satisfies(e -> assertThat(((MailerException) e).kind()).isEqualTo(ErrorKind.CONFIG))
                .hasMessageContaining(fileName)
                .hasMessageContaining(why);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A DKIM verifier written from RFC 6376 with the JDK only (relaxed/relaxed, rsa-sha256), so
     * that the signer is checked against an implementation that shares no code with it. The
     * public key is given instead of looked up in DNS.
     */
    static final class Verifier {
        static final String PASS = "pass";

        static String verify(byte[] message, PublicKey key) throws Exception {
            String text = new String(message, StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split + 2);
            String body = split < 0 ? "" : text.substring(split + 4);

            List<String> fields = new ArrayList<>();
            for (String line : head.split("\r\n")) {
                if (!fields.isEmpty() && (line.startsWith(" ") || line.startsWith("\t"))) {
                    fields.set(fields.size() - 1, fields.get(fields.size() - 1) + "\r\n" + line);
                } else if (!line.isEmpty()) {
                    fields.add(line);
                }
            }
            String signatureField = fields.stream().filter(f -> name(f).equals("dkim-signature")).findFirst()
                    .orElse(null);
            if (signatureField == null) {
                return "no signature";
            }
            Map<String, String> tags = tags(signatureField);
            if (!"1".equals(tags.get("v")) || !"rsa-sha256".equals(tags.get("a"))
                    || !"relaxed/relaxed".equals(tags.get("c")) || tags.containsKey("l")) {
                return "unsupported tags " + tags.keySet();
            }
            List<String> signedNames = List.of(tags.get("h").toLowerCase(Locale.ROOT).split(":"));
            if (!signedNames.contains("from")) {
                return "From not signed";
            }

            byte[] bodyHash = MessageDigest.getInstance("SHA-256")
                    .digest(relaxedBody(body).getBytes(StandardCharsets.ISO_8859_1));
            if (!MessageDigest.isEqual(bodyHash, Base64.getDecoder().decode(tags.get("bh")))) {
                return "body hash mismatch";
            }

            StringBuilder signedData = new StringBuilder();
            Map<String, Integer> used = new HashMap<>();
            for (String wanted : signedNames) {
                String n = wanted.strip();
                List<String> instances = fields.stream().filter(f -> name(f).equals(n)).toList();
                int count = used.merge(n, 1, Integer::sum);
                if (count <= instances.size()) {
                    signedData.append(relaxedHeader(instances.get(instances.size() - count))).append("\r\n");
                }
            }
            String emptied = Pattern.compile("([;:][ \t\r\n]*b[ \t\r\n]*=)[^;]*").matcher(signatureField)
                    .replaceFirst("$1");
            signedData.append(relaxedHeader(emptied));

            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update(signedData.toString().getBytes(StandardCharsets.ISO_8859_1));
            return rsa.verify(Base64.getDecoder().decode(tags.get("b"))) ? PASS : "signature mismatch";
        }

        static Map<String, String> tags(String signatureField) {
            Map<String, String> tags = new LinkedHashMap<>();
            String value = signatureField.substring(signatureField.indexOf(':') + 1);
            for (String tag : value.split(";")) {
                int eq = tag.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String tagName = tag.substring(0, eq).strip();
                // FWS may appear anywhere in these values and is not part of them
                String tagValue = tag.substring(eq + 1).replaceAll("[ \t\r\n]+", "");
                tags.put(tagName, tagValue);
            }
            return tags;
        }

        private static String name(String field) {
            return field.substring(0, Math.max(0, field.indexOf(':'))).strip().toLowerCase(Locale.ROOT);
        }

        /** RFC 6376 §3.4.2. */
        private static String relaxedHeader(String field) {
            int colon = field.indexOf(':');
            String value = field.substring(colon + 1)
                    .replace("\r\n", "")
                    .replaceAll("[ \t]+", " ")
                    .strip();
            return name(field) + ":" + value;
        }

        /** RFC 6376 §3.4.4. */
        private static String relaxedBody(String body) {
            String[] lines = body.split("\r\n", -1);
            StringBuilder out = new StringBuilder();
            int last = lines.length - 1;
            // a body ending in CRLF splits into a final empty string that is no line
            if (body.endsWith("\r\n") || body.isEmpty()) {
                last--;
            }
            List<String> canonical = new ArrayList<>();
            for (int i = 0; i <= last; i++) {
                canonical.add(lines[i].replaceAll("[ \t]+", " ").replaceAll(" $", ""));
            }
            while (!canonical.isEmpty() && canonical.get(canonical.size() - 1).isEmpty()) {
                canonical.remove(canonical.size() - 1);
            }
            for (String line : canonical) {
                out.append(line).append("\r\n");
            }
            return out.toString();
        }
    }

    @Test
    void theTestVerifierItselfRejectsASignatureOverOtherData() throws Exception {
        // guard against a verifier that passes everything: sign the right data with the JDK directly
        PrivateKey key = keys.getPrivate();
        byte[] signed = signer().sign(message(9));
        String text = new String(signed, StandardCharsets.US_ASCII);
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update("something else".getBytes(StandardCharsets.US_ASCII));
        String forged = Base64.getEncoder().encodeToString(rsa.sign());
        String header = text.substring(0, text.indexOf("\r\nFrom:"));
        String b = Verifier.tags(header).get("b");
        String unfolded = text.replaceFirst("(?<=[;:\\s])b=[^;]*;", "b=" + Matcher.quoteReplacement(forged) + ";");
        assertThat(b).isNotEqualTo(forged);
        assertThat(Verifier.verify(ascii(unfolded), keys.getPublic())).contains("signature mismatch");
    }
}
