package dev.mailer.optin;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.config.ConfigFileValues;
import dev.mailer.config.Purposes;
import dev.mailer.config.ServeConfig;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.feedback.http.FeedbackServer;
import dev.mailer.feedback.http.ServerSettings;
import dev.mailer.message.TestSecret;
import dev.mailer.store.TestDatabase;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.Sender;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * The sign-up form end to end (SPEC §9): a POST to the real server, the confirmation mail through
 * real SMTP (GreenMail), the link confirmed by POST, the consent on record with its proof; and the
 * abuse rules: the same answer for every address, no mail for who must not be mailed, caps, and
 * redirects only to listed URLs.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SignUpFormTest {
    private static final Pattern CONFIRM_LINK = Pattern.compile("(http://\\S+/c/[A-Za-z0-9_-]+)");
    private static final AtomicInteger UNIQUE = new AtomicInteger();
    private static final Purposes PURPOSES = new Purposes(Map.of(
            "newsletter", new Purposes.Purpose("newsletter",
                    Map.of("pl", "Newsletter Kawiarni Nowak", "en", "Kawiarnia Nowak newsletter"), "newsletter-2026-01")));
    private static final String THANKS = "https://kawiarnia.example/thanks";

    private static TestDatabase db;
    private static GreenMail mail;
    private static FeedbackServer server;
    private static SmtpPool pool;
    private static SignUpMailer mailer;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
        pool = new SmtpPool(List.of(SmtpRelay.parse("smtp://127.0.0.1:" + mail.getSmtp().getPort() + "?tls=none")));
        ServeConfig limits = new ServeConfig(List.of(URI.create(THANKS)), List.of("newsletter-form"), 3, 12);
        // the links in the mail need the server's port, the server needs where sign-ups go
        SignUpMailer[] late = new SignUpMailer[1];
        server = db.engine().serve(ServerSettings.of(TestSecret.SIGNER, "Kawiarnia Nowak", true)
                .withSignUpForm(PURPOSES, limits, signUp -> late[0].submit(signUp)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ConfigFileValues config = new ConfigFileValues(null, null, List.of(), null,
                URI.create("http://127.0.0.1:" + server.address().getPort()),
                EmailAddress.parse("bounces@kawiarnia.example").orElseThrow(), null, null,
                ConfigFileValues.Sender.NONE, null, null, PURPOSES, limits);
        mailer = new SignUpMailer(db.engine().doubleOptIn(DoubleOptIn.settings(config, null, TestSecret.SIGNER),
                "mailer serve"), new Sender(pool, new Throttle(null, Map.of())), PURPOSES);
        late[0] = mailer;
    }

    @AfterAll
    static void stop() {
        mailer.close();
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
    void aSignUpIsConfirmedByPostAndRecordedWithItsProof() throws Exception {
        String email = unique("anna@example.pl");
        HttpResponse<String> answer = post(form("email", email, "name", "Anna <b>Nowak</b>", "purpose", "newsletter",
                "locale", "pl", "tag", "newsletter-form", "tag", "vip", "source", "https://kawiarnia.example/"),
                "198.51.100.1");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("Prawie gotowe").doesNotContain(email);
        MimeMessage message = oneMessageTo(email);
        String text = GreenMailUtil.getBody(message);
        assertThat(message.getSubject()).contains("Newsletter Kawiarni Nowak");
        assertThat(text).doesNotContain("https://kawiarnia.example/");
        assertThat(db.count("select count(*) from consent_record c join contact k on k.id = c.contact_id"
                + " where k.email_norm = ?", email)).as("asking is no consent").isZero();

        Matcher link = CONFIRM_LINK.matcher(text.replace("=\r\n", "").replace("=3D", "="));
        assertThat(link.find()).isTrue();
        URI confirm = URI.create(link.group(1));
        assertThat(HTTP.send(HttpRequest.newBuilder(confirm).build(), HttpResponse.BodyHandlers.ofString())
                .body()).contains("<form method=\"post\">", "Newsletter Kawiarni Nowak");
        HttpResponse<String> confirmed = HTTP.send(HttpRequest.newBuilder(confirm).header("User-Agent", "Firefox/128")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(confirmed.statusCode()).isEqualTo(200);
        assertThat(db.rows("select c.status, c.source, c.user_agent, split_part(c.consent_text, ';', 1), k.name,"
                + " k.tags::text from consent_record c join contact k on k.id = c.contact_id where k.email_norm = ?",
                email)).containsExactly(List.of("granted",
                "double opt-in confirmation (sign-up form https://kawiarnia.example/)", "Firefox/128",
                "newsletter-2026-01", "Anna <b>Nowak</b>", "{newsletter-form}"));
        assertThat(db.rows("select client_ip from consent_request r join contact k on k.id = r.contact_id"
                + " where k.email_norm = ?", email)).containsExactly(List.of("198.51.100.1"));
    }

    @Test
    void knownUnknownSuppressedAndErasedAddressesGetTheSameAnswerAndOnlyTheMailable() throws Exception {
        String known = unique("known@example.pl");
        db.engine().consent().grant(known, new dev.mailer.contacts.ConsentStatement("offers", "granted", null, "test",
                null, null, null, "consent", false), null, "test");
        String unknown = unique("unknown@example.pl");
        String suppressed = unique("suppressed@example.pl");
        db.engine().suppressions().add(suppressed, "manual", "test", "test");
        String erased = unique("erased@example.pl");
        db.engine().consent().grant(erased, new dev.mailer.contacts.ConsentStatement("offers", "granted", null, "test",
                null, null, null, "consent", false), null, "test");
        db.engine().subjects().erase(erased, "test");

        List<HttpResponse<String>> answers = new java.util.ArrayList<>();
        for (String email : List.of(known, unknown, suppressed, erased)) {
            answers.add(post(form("email", email, "purpose", "newsletter"), "198.51.100.2"));
        }
        assertThat(mailer.drain(Duration.ofSeconds(30))).isTrue();

        for (HttpResponse<String> answer : answers) {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo(answers.get(0).body());
        }
        assertThat(recipients()).containsExactlyInAnyOrder(known, unknown);
        assertThat(db.count("select count(*) from contact where email_norm = ?", erased)).as("erased stay erased")
                .isZero();
    }

    @Test
    void addressesAndClientsAreCappedAlike() throws Exception {
        String email = unique("often@example.pl");
        for (int i = 0; i < 3; i++) {
            assertThat(post(form("email", email, "purpose", "newsletter"), "198.51.100.3").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> fourth = post(form("email", email, "purpose", "newsletter"), "198.51.100.4");
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(fourth.headers().firstValue("Retry-After")).isPresent();
        assertThat(mailer.drain(Duration.ofSeconds(30))).isTrue();
        assertThat(recipients()).hasSize(3);

        // one client, many addresses: 12 an hour here (SPEC default 30)
        int accepted = 0;
        for (int i = 0; i < 15; i++) {
            if (post(form("email", unique("bot@example.pl"), "purpose", "newsletter"), "198.51.100.5").statusCode()
                    == 200) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(12);
        assertThat(mailer.drain(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void formsThatAreWrongAreRefusedAndRedirectsGoOnlyWhereListed() throws Exception {
        String email = unique("anna@example.pl");
        assertThat(post(form("email", "not an address", "purpose", "newsletter"), "198.51.100.6").statusCode())
                .isEqualTo(400);
        assertThat(post(form("email", email, "purpose", "secret-list"), "198.51.100.6").statusCode()).isEqualTo(400);
        assertThat(post(form("email", email, "purpose", "newsletter", "redirect", "https://evil.example/"),
                "198.51.100.6").statusCode()).isEqualTo(400);

        HttpResponse<String> redirected = post(form("email", email, "redirect", THANKS), "198.51.100.6");

        assertThat(redirected.statusCode()).as("one purpose listed: the form may leave it out").isEqualTo(303);
        assertThat(redirected.headers().firstValue("Location")).hasValue(THANKS);
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(url("/subscribe")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(mailer.drain(Duration.ofSeconds(30))).isTrue();
        assertThat(recipients()).containsExactly(email);
    }

    @Test
    void thePreferenceCentreWithdrawsAtOnceAndGrantsThroughAConfirmation() throws Exception {
        Purposes two = new Purposes(new java.util.LinkedHashMap<>(Map.of(
                "newsletter", PURPOSES.find("newsletter").orElseThrow(),
                "offers", new Purposes.Purpose("offers", Map.of("pl", "Oferty i rabaty"), "offers-2026-01"))));
        SignUpMailer both = new SignUpMailer(db.engine().doubleOptIn(DoubleOptIn.settings(new ConfigFileValues(null,
                null, List.of(), null, URI.create("http://127.0.0.1:" + server.address().getPort()),
                EmailAddress.parse("bounces@kawiarnia.example").orElseThrow(), null, null,
                ConfigFileValues.Sender.NONE, null, null, two, ServeConfig.DEFAULT), null, TestSecret.SIGNER),
                "mailer serve"), new Sender(pool, new Throttle(null, Map.of())), two);
        try (FeedbackServer centre = db.engine().serve(ServerSettings.of(TestSecret.SIGNER, "Kawiarnia Nowak", true)
                .withSignUpForm(two, ServeConfig.DEFAULT, both::submit),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String email = unique("anna@example.pl");
            db.engine().consent().grant(email, new dev.mailer.contacts.ConsentStatement("newsletter", "granted", null,
                    "form", null, null, java.time.OffsetDateTime.now(), "consent", false), null, "test");
            db.update("update contact set locale = 'pl' where email_norm = ?", email);
            long anna = db.count("select id from contact where email_norm = ?", email);
            URI page = URI.create("http://127.0.0.1:" + centre.address().getPort() + "/p/"
                    + TestSecret.SIGNER.sign(new dev.mailer.message.Token(dev.mailer.message.Token.Kind.UNSUBSCRIBE,
                    0, anna, null, java.time.LocalDate.now().toEpochDay(), email)));
            Map<String, String> before = db.fingerprints();

            HttpResponse<String> shown = HTTP.send(HttpRequest.newBuilder(page).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(shown.statusCode()).isEqualTo(200);
            assertThat(shown.body()).contains("Newsletter Kawiarni Nowak", "Otrzymujesz te wiadomości",
                    "Oferty i rabaty", "Nie otrzymujesz tych wiadomości", "name=\"withdraw\" value=\"newsletter\"",
                    "name=\"grant\" value=\"offers\"", "name=\"withdraw\" value=\"*\"").doesNotContain(email);
            assertThat(db.fingerprints()).as("a GET changes nothing").isEqualTo(before);

            HttpResponse<String> stopped = postTo(page, form("withdraw", "newsletter"));
            assertThat(stopped.statusCode()).isEqualTo(200);
            assertThat(stopped.body()).contains("Zapisano").doesNotContain("Otrzymujesz te wiadomości");
            assertThat(db.rows("select status, source from consent_record where contact_id = ? and purpose = 'newsletter'"
                    + " order by id desc limit 1", anna)).containsExactly(List.of("withdrawn", "preference centre"));

            HttpResponse<String> asked = postTo(page, form("grant", "offers"));
            assertThat(asked.body()).contains("kliknij link w niej");
            assertThat(both.drain(Duration.ofSeconds(30))).isTrue();
            assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
            MimeMessage message = mail.getReceivedMessages()[0];
            assertThat(message.getSubject()).contains("Oferty i rabaty");
            assertThat(db.count("select count(*) from consent_record where contact_id = ? and purpose = 'offers'", anna))
                    .as("asked, not yet given").isZero();
            Matcher link = CONFIRM_LINK.matcher(GreenMailUtil.getBody(message).replace("=\r\n", "").replace("=3D", "="));
            assertThat(link.find()).isTrue();
            HTTP.send(HttpRequest.newBuilder(URI.create(link.group(1))).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(db.rows("select status, source from consent_record where contact_id = ? and purpose = 'offers'",
                    anna)).containsExactly(List.of("granted", "double opt-in confirmation (preference centre)"));

            postTo(page, form("withdraw", "*"));
            assertThat(db.rows("select status, source from consent_record where contact_id = ? and purpose = '*'", anna))
                    .containsExactly(List.of("withdrawn", "preference centre"));
            assertThat(HTTP.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .doesNotContain("Otrzymujesz te wiadomości");
        } finally {
            both.close();
        }
    }

    @Test
    void thePreferenceCentreOfSomebodyElseOrNobodyLooksTheSameAndChangesNothing() throws Exception {
        String email = unique("bob@example.pl");
        db.engine().consent().grant(email, new dev.mailer.contacts.ConsentStatement("newsletter", "granted", null,
                "form", null, null, java.time.OffsetDateTime.now(), "consent", false), null, "test");
        long bob = db.count("select id from contact where email_norm = ?", email);
        long today = java.time.LocalDate.now().toEpochDay();
        URI foreign = url("/p/" + TestSecret.SIGNER.sign(new dev.mailer.message.Token(
                dev.mailer.message.Token.Kind.UNSUBSCRIBE, 0, bob, null, today, "someone@elsewhere.example")));
        URI nobody = url("/p/" + TestSecret.SIGNER.sign(new dev.mailer.message.Token(
                dev.mailer.message.Token.Kind.UNSUBSCRIBE, 0, 987_654_321L, null, today, "nobody@example.pl")));
        Map<String, String> before = db.fingerprints();

        HttpResponse<String> a = HTTP.send(HttpRequest.newBuilder(foreign).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> b = HTTP.send(HttpRequest.newBuilder(nobody).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(a.body()).isEqualTo(b.body());
        assertThat(postTo(foreign, form("withdraw", "*")).body()).isEqualTo(postTo(nobody, form("withdraw", "*")).body());
        assertThat(db.fingerprints()).isEqualTo(before);
        assertThat(HTTP.send(HttpRequest.newBuilder(url("/p/not-a-token")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(400);
    }

    private static HttpResponse<String> postTo(URI uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStoredRequestWhoseMailNeverWentOutIsMailedByTheNextSweep() throws Exception {
        // as if serve had stored the sign-up and died before mailing it
        String email = unique("late@example.pl");
        long contact = db.stores().consent().ensureContact(EmailAddress.parse(email).orElseThrow());
        long request = db.stores().consent().addRequest(new dev.mailer.consent.ConsentRequest.New(contact,
                "newsletter", "sign-up form", "newsletter-2026-01", "198.51.100.9", List.of(), "pl"));
        ConfigFileValues config = new ConfigFileValues(null, null, List.of(), null,
                URI.create("http://127.0.0.1:" + server.address().getPort()),
                EmailAddress.parse("bounces@kawiarnia.example").orElseThrow(), null, null,
                ConfigFileValues.Sender.NONE, null, null, PURPOSES, ServeConfig.DEFAULT);
        try (SignUpMailer next = new SignUpMailer(db.engine().doubleOptIn(DoubleOptIn.settings(config, null,
                TestSecret.SIGNER), "mailer serve"), new Sender(pool, new Throttle(null, Map.of())), PURPOSES)) {
            assertThat(mail.waitForIncomingEmail(20_000, 1)).as("swept at start").isTrue();
            assertThat(next.drain(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(recipients()).containsExactly(email);
        assertThat(mail.getReceivedMessages()[0].getSubject()).contains("Newsletter Kawiarni Nowak", "Potwierdź");
        assertThat(db.count("select count(*) from consent_request where id = ? and mailed_at is not null", request))
                .isEqualTo(1);
    }

    private static List<String> recipients() throws Exception {
        List<String> to = new java.util.ArrayList<>();
        for (MimeMessage message : mail.getReceivedMessages()) {
            to.add(message.getAllRecipients()[0].toString().replaceAll(".*<|>.*", ""));
        }
        return to;
    }

    private static MimeMessage oneMessageTo(String email) throws Exception {
        assertThat(mailer.drain(Duration.ofSeconds(30))).isTrue();
        assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage[] messages = mail.getReceivedMessages();
        assertThat(messages).hasSize(1);
        assertThat(messages[0].getAllRecipients()[0].toString()).contains(email);
        return messages[0];
    }

    private static String form(String... pairs) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            out.append(out.length() == 0 ? "" : "&").append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    /** Behind a trusted proxy (as set up above) the client is who X-Forwarded-For names: each test has its own. */
    private static HttpResponse<String> post(String body, String client) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url("/subscribe"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Forwarded-For", client)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    private static String unique(String email) {
        int at = email.indexOf('@');
        return email.substring(0, at) + "+" + UNIQUE.incrementAndGet() + email.substring(at);
    }
}
