package dev.mailer.feedback.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.message.TestSecret;
import dev.mailer.message.Token;
import dev.mailer.store.CrashablePostgres;
import dev.mailer.store.DatabaseSettings;
import dev.mailer.store.TestDatabase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailer serve} while its PostgreSQL server is killed (SIGKILL) and started again: health
 * says 503, a one-click unsubscribe answers 503 with Retry-After (never 200 for a withdrawal that
 * was not recorded), and once the server is back both work again without restarting serve.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeWithoutDatabaseTest {
    private static final String ONE_CLICK = "List-Unsubscribe=One-Click";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void whileTheDatabaseIsDownWritesAnswer503AndServeRecoversByItself() throws Exception {
        try (CrashablePostgres postgres = CrashablePostgres.start(dir.resolve("pg"));
             TestDatabase db = TestDatabase.at(postgres.jdbcUrl(), postgres.user(), postgres.password());
             FeedbackServer server = db.engine().serve(ServerSettings.of(TestSecret.SIGNER, "Kawiarnia Nowak", false),
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            long campaign = Long.parseLong(db.rows("insert into campaign (name, purpose, template)"
                    + " values ('news', 'newsletter', 'news') returning id").get(0).get(0));
            long anna = contact(db, "anna@example.pl");
            long jan = contact(db, "jan@example.pl");
            String base = "http://127.0.0.1:" + server.address().getPort();
            assertThat(get(URI.create(base + "/healthz")).statusCode()).isEqualTo(200);
            assertThat(post(unsubscribe(base, campaign, anna)).statusCode()).isEqualTo(200);

            postgres.kill();

            HttpResponse<String> health = get(URI.create(base + "/healthz"));
            assertThat(health.statusCode()).isEqualTo(503);
            HttpResponse<String> refused = post(unsubscribe(base, campaign, jan));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(refused.body()).contains("Nothing was changed");

            postgres.restart();

            assertThat(db.rows("select count(*) from consent_record where contact_id = ? and status = 'withdrawn'",
                    jan)).as("nothing was recorded for the 503").containsExactly(List.of("0"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (get(URI.create(base + "/healthz")).statusCode() != 200) {
                assertThat(System.nanoTime()).as("healthy again within 30 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(post(unsubscribe(base, campaign, jan)).statusCode()).isEqualTo(200);
            assertThat(db.rows("select count(*) from consent_record where contact_id = ? and status = 'withdrawn'",
                    jan)).containsExactly(List.of("1"));
        }
    }

    @Test
    void aFrozenDatabaseMakesHealthSay503AtOnceAndRequestsAnswer503InsteadOfHanging() throws Exception {
        try (CrashablePostgres postgres = CrashablePostgres.start(dir.resolve("frozen"));
             TestDatabase db = TestDatabase.at(postgres.jdbcUrl(), postgres.user(), postgres.password(),
                     DatabaseSettings.Timeouts.REQUESTS);
             FeedbackServer server = db.engine().serve(ServerSettings.of(TestSecret.SIGNER, "Kawiarnia Nowak", false),
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            long campaign = Long.parseLong(db.rows("insert into campaign (name, purpose, template)"
                    + " values ('news', 'newsletter', 'news') returning id").get(0).get(0));
            long anna = contact(db, "anna@example.pl");
            String base = "http://127.0.0.1:" + server.address().getPort();
            assertThat(get(URI.create(base + "/healthz")).statusCode()).isEqualTo(200);

            postgres.freeze(); // SIGSTOP: connections stay open, nothing answers
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).as("a short deadline, not the frozen server's").isEqualTo(503);
                HttpResponse<String> oneClick = post(unsubscribe(base, campaign, anna));
                assertThat(oneClick.statusCode()).as("the request gives up on the database, not the client")
                        .isEqualTo(503);
            } finally {
                postgres.thaw();
            }
            assertThat(db.rows("select count(*) from consent_record where contact_id = ? and status = 'withdrawn'",
                    anna)).as("nothing recorded for the 503").containsExactly(List.of("0"));
        }
    }

    @Test
    void healthProbesAtTheSameMomentShareOneCheckAndAllSayOk() throws Exception {
        try (TestDatabase db = TestDatabase.fresh();
             FeedbackServer server = db.engine().serve(ServerSettings.of(TestSecret.SIGNER, "Kawiarnia Nowak", false),
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            URI health = URI.create("http://127.0.0.1:" + server.address().getPort() + "/healthz");
            java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(16);
            try {
                List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    answers.add(clients.submit(() -> get(health).statusCode()));
                }
                for (java.util.concurrent.Future<Integer> answer : answers) {
                    assertThat(answer.get()).as("a probe while another one's check runs").isEqualTo(200);
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }

    private static long contact(TestDatabase db, String email) {
        return db.database().inTransaction(connection -> {
            var people = db.stores().consent();
            long id = people.ensureContact(EmailAddress.parse(email).orElseThrow(), null, null, List.of());
            people.appendConsent(id, new ConsentStatement("newsletter", ConsentStatement.GRANTED, null, "test", null,
                    null, OffsetDateTime.now(), ConsentStatement.BASIS_CONSENT, false), null, "test");
            return id;
        });
    }

    private static URI unsubscribe(String base, long campaign, long contact) {
        return URI.create(base + "/u/" + TestSecret.SIGNER.sign(new Token(Token.Kind.UNSUBSCRIBE, campaign, contact,
                null, LocalDate.now().toEpochDay())));
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(ONE_CLICK)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
