package dev.mailer.optin;

import dev.mailer.message.TestSecret;
import dev.mailer.consent.ConsentHistory;
import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.config.ConfigFileValues;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.feedback.http.FeedbackServer;
import dev.mailer.feedback.http.ServerSettings;
import dev.mailer.message.MessageSettings;
import dev.mailer.message.TokenSigner;
import dev.mailer.store.TestDatabase;
import dev.mailer.subject.DataSubject;
import dev.mailer.suppression.Suppressions;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Double opt-in end to end: the request goes out through real SMTP (GreenMail), the link in the
 * message is followed through the real server, and the consent is then on record with its proof.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DoubleOptInTest {
    private static final byte[] SECRET = TestSecret.BYTES;
    private static final Pattern CONFIRM_LINK = Pattern.compile("(http://\\S+/c/[A-Za-z0-9_-]+)");

    private static final TokenSigner SIGNER = TestSecret.SIGNER;
    private static final AtomicInteger UNIQUE = new AtomicInteger();
    /** One database, mail server and web server for the class; each test mails its own people. */
    private static TestDatabase db;
    private static GreenMail mail;
    private static FeedbackServer server;
    private static SmtpPool pool;
    private static DoubleOptIn optIn;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
        server = db.engine().serve(ServerSettings.of(SIGNER, "Kawiarnia Nowak sp. z o.o.", false), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        pool = new SmtpPool(List.of(SmtpRelay.parse("smtp://127.0.0.1:" + mail.getSmtp().getPort() + "?tls=none")));
        optIn = db.engine().doubleOptIn(DoubleOptIn.settings(config(
                URI.create("http://127.0.0.1:" + server.address().getPort()), "bounces@kawiarnia.example"), null, SIGNER), "test");
    }

    @AfterAll
    static void stop() {
        pool.close();
        server.close();
        mail.stop();
        db.close();
    }

    @BeforeEach
    void emptyMailbox() throws Exception {
        mail.purgeEmailFromAllMailboxes();
    }

    @Test
    void theMessageCarriesTheLinkAndFollowingItConfirmsTheConsent() throws Exception {
        String written = unique("Ania.Nowak@Example.PL");
        String email = written.toLowerCase(Locale.ROOT);
        DoubleOptIn.Sent sent = optIn.request(written, "newsletter", "pl", pool);

        assertThat(sent.contactCreated()).isTrue();
        assertThat(sent.language()).isEqualTo("pl");
        assertThat(consents(email)).as("a request is no consent").isZero();
        assertThat(db.rows("select locale from contact where email_norm = ?", email)).containsExactly(List.of("pl"));
        assertThat(db.count("select count(*) from audit_log where action = 'consent.request'"
                + " and encode(subject_hash, 'hex') = ?", TestDatabase.sha256(email))).isEqualTo(1);

        MimeMessage[] received = mail.getReceivedMessages();
        assertThat(received).hasSize(1);
        MimeMessage message = received[0];
        assertThat(((InternetAddress) message.getAllRecipients()[0]).getAddress())
                .isEqualTo(written.substring(0, written.indexOf('@')) + "@example.pl");
        assertThat(message.getSubject()).isEqualTo("Potwierdź subskrypcję: newsletter – Kawiarnia Nowak sp. z o.o.");
        InternetAddress from = (InternetAddress) message.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("no-reply@kawiarnia.example");
        assertThat(from.getPersonal()).isEqualTo("Kawiarnia Nowak sp. z o.o.");
        assertThat(message.getHeader("Return-Path", null)).startsWith("<bounces+").endsWith("@kawiarnia.example>");
        assertThat(message.getMessageID()).isEqualTo(sent.messageId());
        String text = part(message, "text/plain");
        String html = part(message, "text/html");
        assertThat(text).contains("Dzień dobry", "„newsletter”", "30 dni", "ul. Floriańska 1",
                "iod@kawiarnia.example");
        Matcher link = CONFIRM_LINK.matcher(text);
        assertThat(link.find()).as("the confirmation link in the text part").isTrue();
        String url = link.group(1);
        assertThat(url).startsWith("http://127.0.0.1:" + server.address().getPort() + "/c/");
        assertThat(html).contains("href=\"" + url + "\"", "Potwierdzam subskrypcję");

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(consents(email)).as("opening the link is no consent").isZero();

        HttpResponse<String> confirmed = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("User-Agent", "Firefox/128").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(confirmed.statusCode()).isEqualTo(200);
        ConsentHistory history = db.engine().consent().show(email);
        assertThat(history.records()).hasSize(1);
        ConsentRecord record = history.records().get(0);
        assertThat(record.purpose()).isEqualTo("newsletter");
        assertThat(record.status()).isEqualTo("granted");
        assertThat(record.confirmedAt()).isNotNull();
        assertThat(record.ip()).isEqualTo("127.0.0.1");
        assertThat(record.userAgent()).isEqualTo("Firefox/128");
        assertThat(record.source()).isEqualTo(ConsentConfirmation.SOURCE);
    }

    @Test
    void anExistingContactKeepsItsDataAndGetsItsOwnLanguage() throws Exception {
        String email = unique("jelena@example.rs");
        db.update("insert into contact (email, email_norm, name, locale) values (?, ?, ?, ?)",
                email, email, "Jelena Petrović", "sr-Latn");

        DoubleOptIn.Sent sent = optIn.request(email, "offers", null, pool);

        assertThat(sent.contactCreated()).isFalse();
        assertThat(sent.language()).isEqualTo("sr-Latn");
        MimeMessage message = mail.getReceivedMessages()[0];
        assertThat(message.getSubject()).startsWith("Potvrdite prijavu: offers");
        assertThat(((InternetAddress) message.getAllRecipients()[0]).getPersonal()).isEqualTo("Jelena Petrović");
        assertThat(message.getHeader("List-Unsubscribe", null)).contains("/u/");
        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).isEqualTo(1);
    }

    @Test
    void erasedSuppressedAndUnsubscribedAddressesAreRefusedAndNothingIsSent() {
        String erased = unique("erased@example.pl");
        String manual = unique("manual@example.pl");
        String bounced = unique("bounced@example.pl");
        String complaint = unique("complaint@example.pl");
        String quiet = unique("quiet@example.pl");
        db.engine().subjects().erase(erased, "test");
        Suppressions suppressions = db.engine().suppressions();
        suppressions.add(manual, "manual", null, "test");
        suppressions.add(bounced, "bounced", null, "test");
        suppressions.add(complaint, "complaint", null, "test");
        ConsentService consent = db.engine().consent();
        consent.grant(quiet, grant("newsletter"), null, "test");
        consent.withdraw(quiet, ConsentStatement.ALL_PURPOSES, "unsubscribe", "test");

        assertRefused(erased, "was erased");
        assertRefused(manual, "suppressed (reason manual)");
        assertRefused(bounced, "suppressed (reason bounced)");
        assertRefused(complaint, "suppressed (reason complaint)");
        assertRefused(quiet, "nothing at all");
        assertThat(mail.getReceivedMessages()).isEmpty();
        assertThat(db.count("select count(*) from contact where email_norm = ?", erased)).isZero();
        for (String email : List.of(erased, manual, bounced, complaint, quiet)) {
            assertThat(requests(email)).isZero();
        }
    }

    @Test
    void aPurposeWithdrawnAloneDoesNotBlockANewRequest() {
        ConsentService consent = db.engine().consent();
        String email = unique("anna@example.pl");
        consent.grant(email, grant("newsletter"), null, "test");
        consent.withdraw(email, "newsletter", "unsubscribe", "test");

        optIn.request(email, "newsletter", null, pool);

        assertThat(mail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void badInputIsAUsageError() {
        String email = unique("anna@example.pl");
        assertThatThrownBy(() -> optIn.request("not-an-address", "newsletter", null, pool))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE));
        assertThatThrownBy(() -> optIn.request(email, "News Letter", null, pool))
                .hasMessageContaining("purpose");
        assertThatThrownBy(() -> optIn.request(email, "newsletter", "p l!", pool))
                .hasMessageContaining("--locale");
        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).isZero();
    }

    @Test
    void withoutAUsableRelayNothingIsSentAndTheCommandCanBeRepeated() throws Exception {
        String email = unique("anna@example.pl");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (SmtpPool dead = new SmtpPool(List.of(SmtpRelay.parse("smtp://127.0.0.1:" + closedPort + "?tls=none")))) {
            assertThatThrownBy(() -> optIn.request(email, "newsletter", null, dead))
                    .isInstanceOfSatisfying(MailerException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.NO_RELAY);
                        assertThat(e.getMessage()).contains("nothing was sent");
                    });
        }
        assertThat(requests(email)).isZero();
    }

    @Test
    void theFromAddressIsDerivedFromTheConfigurationOrRefused() {
        EmailAddress bounces = EmailAddress.parse("bounces@mail.kawiarnia.example").orElseThrow();
        MessageSettings fromBounce = DoubleOptIn.settings(config(null, bounces.address()), null, SIGNER);
        assertThat(fromBounce.from().address().address()).isEqualTo("no-reply@mail.kawiarnia.example");
        assertThat(fromBounce.bounceAddress()).isEqualTo("bounces@mail.kawiarnia.example");

        MessageSettings fromSite = DoubleOptIn.settings(config(URI.create("https://links.kawiarnia.example"), null),
                null, SIGNER);
        assertThat(fromSite.from().address().address()).isEqualTo("no-reply@links.kawiarnia.example");
        assertThat(fromSite.bounceAddress()).isEqualTo("bounces@links.kawiarnia.example");

        MessageSettings given = DoubleOptIn.settings(config(null, null), "Kawiarnia <hello@kawiarnia.example>", SIGNER);
        assertThat(given.from().displayName()).isEqualTo("Kawiarnia");
        assertThat(given.unsubscribeBaseUrl()).isEqualTo(URI.create("https://kawiarnia.example"));

        assertThatThrownBy(() -> DoubleOptIn.settings(config(null, null), null, SIGNER))
                .isInstanceOfSatisfying(MailerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.USAGE);
                    assertThat(e.getMessage()).contains("--from");
                });
        assertThatThrownBy(() -> DoubleOptIn.settings(config(URI.create("http://localhost:8080"), null), null, SIGNER))
                .hasMessageContaining("No From address");
    }

    /** {@code anna@example.pl} → {@code anna+7@example.pl}: every test its own people in the shared database. */
    private static String unique(String email) {
        int at = email.indexOf('@');
        return email.substring(0, at) + "+" + UNIQUE.incrementAndGet() + email.substring(at);
    }

    private static long consents(String email) {
        return db.count("select count(*) from consent_record r join contact c on c.id = r.contact_id"
                + " where c.email_norm = ?", email);
    }

    private static long requests(String email) {
        return db.count("select count(*) from audit_log where action = 'consent.request'"
                + " and encode(subject_hash, 'hex') = ?", TestDatabase.sha256(email));
    }

    private void assertRefused(String email, String why) {
        assertThatThrownBy(() -> optIn.request(email, "newsletter", null, pool))
                .isInstanceOfSatisfying(MailerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.USAGE);
                    assertThat(e.getMessage()).contains(why);
                });
    }

    private static ConsentStatement grant(String purpose) {
        return new ConsentStatement(purpose, ConsentStatement.GRANTED, null, "test", null, null, null,
                ConsentStatement.BASIS_CONSENT, false);
    }

    private static ConfigFileValues config(URI baseUrl, String bounceAddress) {
        return new ConfigFileValues(null, null, List.of(), null, baseUrl,
                bounceAddress == null ? null : EmailAddress.parse(bounceAddress).orElseThrow(), null, null,
                new ConfigFileValues.Sender("Kawiarnia Nowak sp. z o.o.", "ul. Floriańska 1, 31-019 Kraków",
                        EmailAddress.parse("iod@kawiarnia.example").orElseThrow()), null, null, null, null);
    }

    private static String part(MimeMessage message, String type) throws Exception {
        Multipart multipart = (Multipart) message.getContent();
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.isMimeType(type)) {
                return content(part);
            }
        }
        throw new AssertionError("no " + type + " part");
    }

    private static String content(BodyPart part) throws IOException, MessagingException {
        Object content = part.getContent();
        return content instanceof String s ? s : new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
