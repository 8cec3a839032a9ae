package dev.mailer.feedback.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.config.WebhooksConfig;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.consent.ConsentStore;
import dev.mailer.feedback.http.FeedbackServer;
import dev.mailer.feedback.http.ServerSettings;
import dev.mailer.message.TestSecret;
import dev.mailer.message.Token;
import dev.mailer.store.TestDatabase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code mailer serve} with webhooks on, over real HTTP, against a fresh database on the shared test
 * PostgreSQL, and what the webhook tests ask of it: people, campaigns, our own tokens, and what was
 * stored.
 */
final class WebhookFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DOMAIN = "kawiarnia.example";
    private static final AtomicInteger UNIQUE = new AtomicInteger();

    final TestDatabase db;
    final FeedbackServer server;
    /** The access log's lines. */
    final List<String> accessLog = new CopyOnWriteArrayList<>();

    /** The access log once it has {@code lines} lines: a line is written after its answer went out. */
    List<String> accessLog(int lines) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (accessLog.size() < lines && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return List.copyOf(accessLog);
    }
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private WebhookFixture(TestDatabase db, WebhooksConfig config, HttpsFetcher snsFetch) {
        this.db = db;
        this.server = db.engine().serve(ServerSettings.of(TestSecret.SIGNER, "Kawiarnia Nowak", false)
                        .withConnectionsPerClient(1000).withWebhooks(config).withSnsFetch(snsFetch),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), accessLog::add);
    }

    static WebhookFixture start(WebhooksConfig config, HttpsFetcher snsFetch) {
        return new WebhookFixture(TestDatabase.fresh(), config, snsFetch);
    }

    static WebhookFixture start(WebhooksConfig config) {
        return start(config, null);
    }

    /** Over an existing database (one a test may crash). */
    static WebhookFixture over(TestDatabase db, WebhooksConfig config) {
        return new WebhookFixture(db, config, null);
    }

    @Override
    public void close() {
        server.close();
        db.close();
    }

    /** An address no other test uses. */
    static String unique(String email) {
        int at = email.indexOf('@');
        return email.substring(0, at) + "." + UNIQUE.incrementAndGet() + email.substring(at);
    }

    long campaign(String purpose) {
        return Long.parseLong(db.rows("insert into campaign (name, purpose, template) values (?, ?, 'news') returning id",
                "news-" + UNIQUE.incrementAndGet(), purpose).get(0).get(0));
    }

    long contact(String email, String... purposes) {
        return db.database().inTransaction(connection -> {
            ConsentStore people = db.stores().consent();
            long id = people.ensureContact(EmailAddress.parse(email).orElseThrow());
            for (String purpose : purposes) {
                people.appendConsent(id, new ConsentStatement(purpose, ConsentStatement.GRANTED, null, "test", null,
                        null, OffsetDateTime.now(), ConsentStatement.BASIS_CONSENT, false), null, "test");
            }
            return id;
        });
    }

    /** Our VERP envelope sender for this person's message of this campaign: {@code bounces+TOKEN@…}. */
    static String verp(long campaign, long contact, String email) {
        return "bounces+" + TestSecret.SIGNER.sign(new Token(Token.Kind.BOUNCE, campaign, contact, null,
                LocalDate.now().toEpochDay(), email)) + "@" + DOMAIN;
    }

    /** Our List-Unsubscribe header for it. */
    static String listUnsubscribe(long campaign, long contact, String email) {
        String token = TestSecret.SIGNER.sign(new Token(Token.Kind.UNSUBSCRIBE, campaign, contact, null,
                LocalDate.now().toEpochDay(), email));
        return "<https://mail." + DOMAIN + "/u/" + token + ">, <mailto:unsubscribe+" + token + "@" + DOMAIN + ">";
    }

    HttpResponse<String> post(String path, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    /** The suppression reasons on record for the address. */
    List<String> suppressions(String email) {
        return db.rows("select reason from suppression where email_norm = ? order by reason", email).stream()
                .map(row -> row.get(0)).toList();
    }

    /** The feedback events whose source key starts so: type, contact, campaign, hard, status, fault. */
    List<List<String>> events(String keyPrefix) {
        return db.rows("select type, contact_id::text, campaign_id::text, hard::text, status, fault"
                + " from feedback_event where source_key like ? order by id", keyPrefix + "%");
    }

    /** The latest consent record for the purpose: status and source. */
    List<String> latestConsent(long contact, String purpose) {
        List<List<String>> rows = db.rows("select status, source from consent_record where contact_id = ?"
                + " and purpose = ? order by consent_at desc, id desc limit 1", contact, purpose);
        return rows.isEmpty() ? List.of() : rows.get(0);
    }

    Map<String, String> fingerprints() {
        return db.fingerprints();
    }
}
