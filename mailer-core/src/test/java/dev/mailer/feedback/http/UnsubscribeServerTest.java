package dev.mailer.feedback.http;

import dev.mailer.message.TestSecret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import dev.mailer.consent.ConsentRequest;
import dev.mailer.consent.ConsentStore;
import dev.mailer.store.TestDatabase;
import dev.mailer.subject.DataSubject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code mailer serve} over real HTTP against a real PostgreSQL: what each request answers, and
 * what it did (or, for every GET, did not do) to the consent history.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnsubscribeServerTest {
    static {
        // a short request time limit, so the slow-client test need not wait the default 10 s; the JDK
        // server reads it once per JVM, so another test class may have fixed it first (then 10 s)
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "2");
        }
    }

    private static final byte[] SECRET = TestSecret.BYTES;
    private static final String ORGANISATION = "Kawiarnia Nowak sp. z o.o.";
    private static final String ONE_CLICK = "List-Unsubscribe=One-Click";

    private static final TokenSigner SIGNER = TestSecret.SIGNER;
    private static final AtomicInteger UNIQUE = new AtomicInteger();
    /** One database and server for the class (a fresh database costs seconds); tests use their own people. */
    private static TestDatabase db;
    private static FeedbackServer server;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String campaignName;
    private long campaignId;

    @BeforeAll
    static void startServer() {
        db = TestDatabase.fresh();
        server = start(false);
    }

    @AfterAll
    static void stopServer() {
        server.close();
        db.close();
    }

    @BeforeEach
    void newCampaign() {
        campaignName = "news-" + UNIQUE.incrementAndGet();
        campaignId = campaign(campaignName, "newsletter");
    }

    // --- unsubscribe ----------------------------------------------------------------------------

    @Test
    void oneClickPostWithdrawsTheCampaignsPurposeBeforeAnswering() throws Exception {
        String email = unique("anna@example.pl");
        long anna = contact(email, null, "newsletter", "offers");

        long started = System.nanoTime();
        HttpResponse<String> response = post(unsubscribeUrl(anna), ONE_CLICK, Map.of("User-Agent", "Gmail one-click"));
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(millis).as("recorded and answered within a second").isLessThan(1000);
        assertThat(latest(anna, "newsletter")).containsEntry("status", "withdrawn")
                .containsEntry("source", "one-click unsubscribe (campaign " + campaignName + ")")
                .containsEntry("ip", "127.0.0.1")
                .containsEntry("user_agent", "Gmail one-click")
                .containsEntry("recorded_via", "mailer serve");
        assertThat(latest(anna, "offers")).as("other purposes stay").containsEntry("status", "granted");
        assertThat(db.count("select count(*) from feedback_event where type = 'unsubscribe' and contact_id = ?", anna))
                .isEqualTo(1);
        assertThat(audits("consent.withdraw", email)).isEqualTo(1);
        assertThat(response.body()).contains("newsletter").doesNotContain(email);
    }

    @Test
    void getShowsThePageWithBothButtonsAndChangesNothing() throws Exception {
        String email = unique("anna@example.pl");
        long anna = contact(email, null, "newsletter");
        Map<String, String> before = db.fingerprints();

        HttpResponse<String> response = get(unsubscribeUrl(anna), Map.of());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(db.fingerprints()).as("a GET never changes anything").isEqualTo(before);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(response.body()).contains("<form method=\"post\">", "name=\"scope\" value=\"campaign\"",
                "name=\"scope\" value=\"all\"", "Unsubscribe from everything", "&quot;newsletter&quot;",
                "<footer>" + ORGANISATION + "</footer>", "<html lang=\"en\">")
                .doesNotContain(email, "<script");
        assertProtectiveHeaders(response);
    }

    @Test
    void repeatedPostsRecordOneWithdrawal() throws Exception {
        long anna = contact(unique("anna@example.pl"), null, "newsletter");
        URI url = unsubscribeUrl(anna);

        for (int i = 0; i < 3; i++) {
            assertThat(post(url, ONE_CLICK, Map.of()).statusCode()).isEqualTo(200);
        }
        assertThat(post(url, "scope=campaign", Map.of()).statusCode()).isEqualTo(200);

        assertThat(db.count("select count(*) from consent_record where contact_id = ? and status = 'withdrawn'", anna))
                .isEqualTo(1);
        assertThat(db.count("select count(*) from feedback_event where contact_id = ?", anna)).isEqualTo(1);
    }

    @Test
    void thePagesSecondButtonUnsubscribesFromEverything() throws Exception {
        long anna = contact(unique("anna@example.pl"), null, "newsletter", "offers");

        HttpResponse<String> response = post(unsubscribeUrl(anna), "scope=all", Map.of());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("You will no longer receive any e-mails from us.");
        assertThat(latest(anna, ConsentStatement.ALL_PURPOSES)).containsEntry("status", "withdrawn")
                .containsEntry("source", "unsubscribe page (campaign " + campaignName + ")");
    }

    @Test
    void oneClickNeverMeansEverythingEvenWithAScopeField() throws Exception {
        long anna = contact(unique("anna@example.pl"), null, "newsletter");

        post(unsubscribeUrl(anna), ONE_CLICK + "&scope=all", Map.of());

        assertThat(db.count("select count(*) from consent_record where contact_id = ? and purpose = '*'", anna))
                .isZero();
        assertThat(latest(anna, "newsletter")).containsEntry("status", "withdrawn");
    }

    @Test
    void tamperedWrongKindAndMalformedTokensAreRefusedWith400() throws Exception {
        long anna = contact(unique("anna@example.pl"), null, "newsletter");
        String good = token(Token.Kind.UNSUBSCRIBE, campaignId, anna, null, today());
        char last = good.charAt(good.length() - 2);
        String tampered = good.substring(0, good.length() - 2) + (last == 'A' ? 'B' : 'A') + good.charAt(good.length() - 1);
        String bounce = token(Token.Kind.BOUNCE, campaignId, anna, null, today());
        String confirm = token(Token.Kind.CONFIRM, 0, anna, "newsletter", today());
        Map<String, String> before = db.fingerprints();

        for (String bad : List.of(tampered, bounce, confirm, "not-a-token", "%3Cscript%3E", good + "x")) {
            HttpResponse<String> get = get(url("/u/" + bad), Map.of());
            HttpResponse<String> post = post(url("/u/" + bad), ONE_CLICK, Map.of());
            assertThat(get.statusCode()).as("GET " + bad).isEqualTo(400);
            assertThat(post.statusCode()).as("POST " + bad).isEqualTo(400);
            assertThat(get.body()).contains("Invalid link").doesNotContain("Exception");
            assertProtectiveHeaders(post);
        }
        assertThat(post(url("/c/" + good), "", Map.of()).statusCode()).as("an unsubscribe token cannot confirm")
                .isEqualTo(400);
        assertThat(db.fingerprints()).isEqualTo(before);
    }

    @Test
    void unknownPathsAre404OtherMethods405AndHealthzIsOk() throws Exception {
        long anna = contact(unique("anna@example.pl"), null, "newsletter");

        assertThat(get(url("/"), Map.of()).statusCode()).isEqualTo(404);
        assertThat(get(url("/u/"), Map.of()).statusCode()).isEqualTo(404);
        assertThat(get(url("/x/abc"), Map.of()).statusCode()).isEqualTo(404);
        assertThat(get(url(unsubscribeUrl(anna).getPath() + "/extra"), Map.of()).statusCode()).isEqualTo(404);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(unsubscribeUrl(anna))
                .PUT(HttpRequest.BodyPublishers.ofString(ONE_CLICK)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
        assertProtectiveHeaders(put);
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(unsubscribeUrl(anna)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(latest(anna, "newsletter")).containsEntry("status", "granted");

        HttpResponse<String> health = get(url("/healthz"), Map.of());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        assertProtectiveHeaders(health);
    }

    @Test
    void anOversizedBodyIs413AndChangesNothing() throws Exception {
        long anna = contact(unique("anna@example.pl"), null, "newsletter");
        String big = ONE_CLICK + "&pad=" + "x".repeat(ServerSettings.DEFAULT_MAX_BODY_BYTES);

        HttpResponse<String> response = post(unsubscribeUrl(anna), big, Map.of());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("Request too large");
        assertProtectiveHeaders(response);
        assertThat(latest(anna, "newsletter")).containsEntry("status", "granted");
    }

    @Test
    void aHugeDeclaredBodyIsRefusedWithoutBeingRead() throws Exception {
        long anna = contact(unique("anna@example.pl"), null, "newsletter");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            // promises a gigabyte, sends none of it: the answer must come anyway
            out.write(("POST " + unsubscribeUrl(anna).getPath() + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 413").contains("Connection: close");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("closed at once, nothing drained")
                    .isLessThan(Duration.ofMillis(1500));
        }
        assertThat(latest(anna, "newsletter")).containsEntry("status", "granted");
    }

    @Test
    void aTokenOfADeletedContactGetsTheSamePagesAsALiveOne() throws Exception {
        long anna = contact(unique("anna@example.pl"), null, "newsletter");
        String bobEmail = unique("bob@example.pl");
        long bob = contact(bobEmail, null, "newsletter");
        db.engine().subjects().erase(bobEmail, "test");
        long neverExisted = 987_654;

        HttpResponse<String> liveGet = get(unsubscribeUrl(anna), Map.of());
        HttpResponse<String> livePost = post(unsubscribeUrl(anna), ONE_CLICK, Map.of());
        for (long gone : List.of(bob, neverExisted)) {
            HttpResponse<String> goneGet = get(unsubscribeUrl(gone), Map.of());
            HttpResponse<String> gonePost = post(unsubscribeUrl(gone), ONE_CLICK, Map.of());
            assertThat(goneGet.statusCode()).isEqualTo(liveGet.statusCode());
            assertThat(goneGet.body()).isEqualTo(liveGet.body());
            assertThat(gonePost.statusCode()).isEqualTo(livePost.statusCode());
            assertThat(gonePost.body()).isEqualTo(livePost.body());
        }
        assertThat(db.count("select count(*) from consent_record where contact_id = ?", neverExisted)).isZero();
    }

    @Test
    void pagesSpeakTheContactsLanguageElseTheBrowsersElseEnglish() throws Exception {
        long ania = contact(unique("ania@example.pl"), "pl", "newsletter");
        long jelena = contact(unique("jelena@example.rs"), "sr-Latn", "newsletter");
        long john = contact(unique("john@example.com"), "en", "newsletter");
        long hans = contact(unique("hans@example.de"), "de", "newsletter");
        long nobody = 987_654;

        assertThat(get(unsubscribeUrl(ania), Map.of("Accept-Language", "en")).body())
                .contains("<html lang=\"pl\">", "Wypisz mnie ze wszystkiego", "„newsletter”");
        assertThat(get(unsubscribeUrl(jelena), Map.of()).body())
                .contains("<html lang=\"sr-Latn\">", "Odjavi me sa svega", "„newsletter“");
        assertThat(get(unsubscribeUrl(john), Map.of("Accept-Language", "pl")).body())
                .contains("<html lang=\"en\">", "Unsubscribe from everything");
        assertThat(get(unsubscribeUrl(hans), Map.of("Accept-Language", "pl")).body())
                .as("a locale we have no words for").contains("<html lang=\"en\">");
        assertThat(get(unsubscribeUrl(nobody), Map.of("Accept-Language", "de-DE, sr;q=0.9, pl;q=0.8")).body())
                .contains("<html lang=\"sr-Latn\">");
        assertThat(get(unsubscribeUrl(nobody), Map.of("Accept-Language", "pl-PL,pl;q=0.9")).body())
                .contains("<html lang=\"pl\">");
        assertThat(get(unsubscribeUrl(nobody), Map.of("Accept-Language", ";;;garbage")).body())
                .contains("<html lang=\"en\">");
        assertThat(post(unsubscribeUrl(ania), ONE_CLICK, Map.of()).body())
                .contains("Subskrypcja anulowana", "Nie będziesz już otrzymywać wiadomości e-mail na temat „newsletter”.");
        assertThat(get(url("/u/broken"), Map.of("Accept-Language", "sr-Latn-RS")).body())
                .contains("Neispravan link");
    }

    @Test
    void everyDynamicValueIsEscaped() throws Exception {
        long evil = campaign("evil", "news<script>alert(1)</script>\"&");
        long anna = contact(unique("anna@example.pl"), null, "newsletter");

        HttpResponse<String> response = get(url("/u/" + token(Token.Kind.UNSUBSCRIBE, evil, anna, null, today())),
                Map.of());

        assertThat(response.body()).contains("news&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;")
                .doesNotContain("<script");
    }

    // --- double opt-in confirmation -------------------------------------------------------------

    @Test
    void confirmationGetChangesNothingAndPostRecordsTheProof() throws Exception {
        String email = unique("anna@example.pl");
        long anna = contact(email, "pl");
        URI link = confirmUrl(anna, "newsletter", today());
        Map<String, String> before = db.fingerprints();

        HttpResponse<String> page = get(link, Map.of());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Potwierdź subskrypcję", "<form method=\"post\">", "Potwierdzam");
        assertProtectiveHeaders(page);
        assertThat(db.fingerprints()).as("a GET never confirms").isEqualTo(before);

        Instant start = Instant.now().minusSeconds(1);
        HttpResponse<String> confirmed = post(link, "", Map.of("User-Agent", "Mozilla/5.0 (test)"));

        assertThat(confirmed.statusCode()).isEqualTo(200);
        assertThat(confirmed.body()).contains("Dziękujemy", "„newsletter”");
        Map<String, Object> record = latest(anna, "newsletter");
        assertThat(record).containsEntry("status", "granted")
                .containsEntry("source", "double opt-in confirmation")
                .containsEntry("ip", "127.0.0.1")
                .containsEntry("user_agent", "Mozilla/5.0 (test)")
                .containsEntry("lawful_basis", "consent")
                .containsEntry("recorded_via", "mailer serve");
        assertThat((Instant) record.get("confirmed_at")).isAfter(start).isBeforeOrEqualTo(Instant.now());
        assertThat((Instant) record.get("consent_at")).isAfter(start);
        assertThat((String) record.get("consent_text")).startsWith("mailer serve confirmation page (pl) sha256:");
        assertThat(audits("consent.confirm", email)).isEqualTo(1);

        assertThat(post(link, "", Map.of()).statusCode()).as("a second click").isEqualTo(200);
        assertThat(db.count("select count(*) from consent_record where contact_id = ?", anna)).isEqualTo(1);
    }

    @Test
    void theForwardedAddressCountsOnlyWhenTheProxyIsTrusted() throws Exception {
        long anna = contact(unique("anna@example.pl"), null);
        long bob = contact(unique("bob@example.pl"), null);
        Map<String, String> forwarded = Map.of("X-Forwarded-For", "203.0.113.7, 10.0.0.1");

        post(confirmUrl(anna, "newsletter", today()), "", forwarded);
        try (FeedbackServer behindProxy = start(true)) {
            URI link = URI.create("http://127.0.0.1:" + behindProxy.address().getPort()
                    + confirmUrl(bob, "newsletter", today()).getPath());
            post(link, "", forwarded);
        }

        assertThat(latest(anna, "newsletter")).containsEntry("ip", "127.0.0.1");
        assertThat(latest(bob, "newsletter")).containsEntry("ip", "203.0.113.7");
    }

    @Test
    void aConfirmationLinkIsUsedOnceAndNeverOutranksALaterWithdrawal() throws Exception {
        String email = unique("anna@example.pl");
        long anna = contact(email, null);
        long request = db.stores().consent().addRequest(new ConsentRequest.New(anna, "newsletter",
                "sign-up form (https://shop.example/)", "newsletter-2026-01", "192.0.2.7", List.of("newsletter-form")));
        URI link = url("/c/" + token(Token.Kind.CONFIRM, request, anna, "newsletter", today()));

        assertThat(post(link, "", Map.of()).statusCode()).isEqualTo(200);
        assertThat(latest(anna, "newsletter")).containsEntry("status", "granted")
                .containsEntry("source", "double opt-in confirmation (sign-up form (https://shop.example/))");
        assertThat((String) latest(anna, "newsletter").get("consent_text")).startsWith("newsletter-2026-01; ");
        assertThat(db.rows("select tags::text from contact where id = ?", anna)).containsExactly(List.of("{newsletter-form}"));
        assertThat(post(link, "", Map.of()).statusCode()).as("a second click").isEqualTo(200);
        assertThat(db.count("select count(*) from consent_record where contact_id = ?", anna)).isEqualTo(1);

        assertThat(post(unsubscribeUrl(anna), ONE_CLICK, Map.of()).statusCode()).isEqualTo(200);
        HttpResponse<String> again = post(link, "", Map.of());

        assertThat(again.statusCode()).as("the old link after the withdrawal").isEqualTo(410);
        assertThat(latest(anna, "newsletter")).containsEntry("status", "withdrawn");
        assertThat(db.count("select count(*) from consent_record where contact_id = ? and status = 'granted'", anna))
                .isEqualTo(1);
    }

    @Test
    void aLinkOfTheOlderKindAlsoLosesToALaterWithdrawal() throws Exception {
        long anna = contact(unique("anna@example.pl"), null);
        URI link = confirmUrl(anna, "newsletter", today());

        assertThat(post(link, "", Map.of()).statusCode()).isEqualTo(200);
        assertThat(post(unsubscribeUrl(anna), ONE_CLICK, Map.of()).statusCode()).isEqualTo(200);

        assertThat(post(link, "", Map.of()).statusCode()).isEqualTo(410);
        assertThat(latest(anna, "newsletter")).containsEntry("status", "withdrawn");
    }

    @Test
    void aTokenMadeForSomebodyElseWithTheSameIdChangesNothing() throws Exception {
        // another database signed with the same secret: its contact with anna's id is somebody else
        long anna = contact(unique("anna@example.pl"), null, "newsletter");
        String elsewhere = "someone@other-database.example";
        URI unsubscribe = url("/u/" + SIGNER.sign(new Token(Token.Kind.UNSUBSCRIBE, campaignId, anna, null, today(),
                elsewhere)));
        URI confirm = url("/c/" + SIGNER.sign(new Token(Token.Kind.CONFIRM, 0, anna, "offers", today(), elsewhere)));
        // a token of the older kind (no person) from before anna existed
        URI olderUnsubscribe = url("/u/" + SIGNER.sign(new Token(Token.Kind.UNSUBSCRIBE, campaignId, anna, null,
                today() - 10)));
        long bob = contact(unique("bob@example.pl"), null, "newsletter");
        HttpResponse<String> livePost = post(unsubscribeUrl(bob), ONE_CLICK, Map.of());
        Map<String, String> before = db.fingerprints();

        for (URI foreign : List.of(unsubscribe, olderUnsubscribe)) {
            HttpResponse<String> response = post(foreign, ONE_CLICK, Map.of());
            assertThat(response.statusCode()).isEqualTo(livePost.statusCode());
            assertThat(response.body()).as("the same answer as for a real person").isEqualTo(livePost.body());
        }
        assertThat(post(confirm, "", Map.of()).statusCode()).isEqualTo(410);
        assertThat(db.fingerprints()).as("nothing recorded for anna").isEqualTo(before);
        assertThat(latest(anna, "newsletter")).containsEntry("status", "granted");
    }

    @Test
    void confirmationLinksExpireAfterThirtyDays() throws Exception {
        long anna = contact(unique("anna@example.pl"), null);
        long bob = contact(unique("bob@example.pl"), null);
        URI expired = confirmUrl(anna, "newsletter", today() - 31);
        URI lastDay = confirmUrl(bob, "newsletter", today() - 30);

        HttpResponse<String> get = get(expired, Map.of());
        HttpResponse<String> post = post(expired, "", Map.of());

        assertThat(get.statusCode()).isEqualTo(410);
        assertThat(post.statusCode()).isEqualTo(410);
        assertThat(post.body()).contains("This link is no longer valid").doesNotContain("<form");
        assertThat(db.count("select count(*) from consent_record where contact_id = ?", anna)).isZero();
        assertThat(post(lastDay, "", Map.of()).statusCode()).isEqualTo(200);
        assertThat(latest(bob, "newsletter")).containsEntry("status", "granted");
    }

    @Test
    void anErasedPersonCannotBeConfirmedAndGetsTheNeutralPage() throws Exception {
        String email = unique("anna@example.pl");
        long anna = contact(email, null);
        long bob = contact(unique("bob@example.pl"), null);
        URI annaLink = confirmUrl(anna, "newsletter", today());
        db.engine().subjects().erase(email, "test");
        URI expired = confirmUrl(bob, "newsletter", today() - 40);

        HttpResponse<String> get = get(annaLink, Map.of());
        HttpResponse<String> post = post(annaLink, "", Map.of());

        assertThat(get.statusCode()).isEqualTo(410);
        assertThat(post.statusCode()).isEqualTo(410);
        assertThat(post.body()).isEqualTo(post(expired, "", Map.of()).body());
        assertThat(db.count("select count(*) from consent_record where contact_id in (?, ?)", anna, bob)).isZero();
        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).as("no contact came back")
                .isZero();
    }

    @Test
    void aConfirmationTokenWithoutPurposeIsNoLink() throws Exception {
        long anna = contact(unique("anna@example.pl"), null);

        HttpResponse<String> response = post(url("/c/" + token(Token.Kind.CONFIRM, 0, anna, null, today())), "",
                Map.of());

        assertThat(response.statusCode()).isEqualTo(400);
    }

    // --- robustness -----------------------------------------------------------------------------

    @Test
    void aClientThatNeverFinishesItsRequestIsCutOff() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: loc".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            long started = System.nanoTime();
            InputStream in = socket.getInputStream();
            int read;
            try {
                read = in.read();
            } catch (IOException reset) {
                read = -1;
            }
            assertThat(read).as("the server closes the connection").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(FeedbackServer.MAX_REQUEST_SECONDS + 5));
        }
    }

    @Test
    void anInternalFailureIsAPlain500WithoutDetails() throws Exception {
        TestDatabase broken = TestDatabase.fresh();
        try (FeedbackServer failing = broken.engine().serve(ServerSettings.of(SIGNER, null, false), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            broken.close(); // every database call now fails
            String token = token(Token.Kind.UNSUBSCRIBE, campaignId, 1, null, today());

            HttpResponse<String> response = get(URI.create("http://127.0.0.1:" + failing.address().getPort() + "/u/"
                    + token), Map.of("Accept-Language", "pl"));

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).contains("Coś poszło nie tak")
                    .doesNotContain("Exception", "at dev.", "SQL", "Hikari");
            assertProtectiveHeaders(response);
        }
    }

    @Test
    void aTakenPortIsReportedAsBusy() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Assertions.assertThatThrownBy(() -> db.engine().serve(ServerSettings.of(SIGNER, null, false), new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort())))
                    .isInstanceOfSatisfying(MailerException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.BUSY);
                        assertThat(e.getMessage()).contains("already in use", "--port");
                    });
        }
    }

    // --- helpers --------------------------------------------------------------------------------

    private static FeedbackServer start(boolean trustProxy) {
        // every test's client comes from 127.0.0.1 and keeps its connections: no per-client cap here
        return db.engine().serve(ServerSettings.of(SIGNER, ORGANISATION, trustProxy).withConnectionsPerClient(1000),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static void assertProtectiveHeaders(HttpResponse<?> response) {
        var headers = response.headers();
        assertThat(headers.firstValue("Cache-Control")).hasValue("no-store");
        assertThat(headers.firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(headers.firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(headers.firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(headers.firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("default-src 'none'", "frame-ancestors 'none'", "form-action 'self'")
                .doesNotContain("script-src", "unsafe-inline"));
    }

    /** {@code anna@example.pl} → {@code anna+7@example.pl}: every test its own people in the shared database. */
    private static String unique(String email) {
        int at = email.indexOf('@');
        return email.substring(0, at) + "+" + UNIQUE.incrementAndGet() + email.substring(at);
    }

    private static long audits(String action, String email) {
        return db.count("select count(*) from audit_log where action = ? and encode(subject_hash, 'hex') = ?", action,
                TestDatabase.sha256(email));
    }

    private long campaign(String name, String purpose) {
        return Long.parseLong(db.rows("insert into campaign (name, purpose, template) values (?, ?, 'news') returning id",
                name, purpose).get(0).get(0));
    }

    /** A contact with a confirmed consent for each purpose given. */
    private long contact(String email, String locale, String... purposes) {
        return db.database().inTransaction(connection -> {
            ConsentStore people = db.stores().consent();
            long id = people.ensureContact(EmailAddress.parse(email).orElseThrow(), null, locale, List.of());
            for (String purpose : purposes) {
                people.appendConsent(id, new ConsentStatement(purpose, ConsentStatement.GRANTED, null, "test", null,
                        null, java.time.OffsetDateTime.now(), ConsentStatement.BASIS_CONSENT, false), null, "test");
            }
            return id;
        });
    }

    private Map<String, Object> latest(long contactId, String purpose) {
        List<Map<String, Object>> rows = db.maps("select * from consent_record where contact_id = ? and purpose = ?"
                + " order by consent_at desc, id desc limit 1", contactId, purpose);
        assertThat(rows).as("a consent record for " + purpose).isNotEmpty();
        return rows.get(0);
    }

    private static long today() {
        return LocalDate.now().toEpochDay();
    }

    /** A token as mailer makes them: naming the contact's person (their address) as well as the id. */
    private String token(Token.Kind kind, long campaign, long contact, String purpose, long day) {
        List<List<String>> email = db.rows("select email_norm from contact where id = ?", contact);
        return SIGNER.sign(email.isEmpty() ? new Token(kind, campaign, contact, purpose, day)
                : new Token(kind, campaign, contact, purpose, day, email.get(0).get(0)));
    }

    private URI unsubscribeUrl(long contactId) {
        return url("/u/" + token(Token.Kind.UNSUBSCRIBE, campaignId, contactId, null, today()));
    }

    private URI confirmUrl(long contactId, String purpose, long day) {
        return url("/c/" + token(Token.Kind.CONFIRM, 0, contactId, purpose, day));
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    private HttpResponse<String> get(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(URI uri, String form, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
