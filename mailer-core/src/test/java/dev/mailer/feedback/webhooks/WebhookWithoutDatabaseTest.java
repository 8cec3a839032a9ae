package dev.mailer.feedback.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailer.config.WebhooksConfig;
import dev.mailer.store.CrashablePostgres;
import dev.mailer.store.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook while its PostgreSQL is killed: 503 with Retry-After, nothing recorded, and the
 * provider's retry of that very request (same signature, same token) is taken once the database is
 * back, not refused as a replay.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebhookWithoutDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void whileTheDatabaseIsDownAnEventIs503AndItsRetryIsRecordedAfterwards() throws Exception {
        try (CrashablePostgres postgres = CrashablePostgres.start(dir.resolve("pg"));
             WebhookFixture app = WebhookFixture.over(TestDatabase.at(postgres.jdbcUrl(), postgres.user(),
                     postgres.password()), new WebhooksConfig(WebhookMailgunTest.SIGNING_KEY, null, null, null, false,
                     List.of()))) {
            String email = "anna@example.pl";
            app.contact(email, "newsletter");
            ObjectNode event = WebhookMailgunTest.failed("ev-down", email, "permanent", 550, "5.1.1 user unknown");
            byte[] body = WebhookMailgunTest.signed(event, Instant.now().getEpochSecond(), WebhookMailgunTest.token(),
                    WebhookMailgunTest.SIGNING_KEY);

            postgres.kill();

            HttpResponse<String> refused = app.post("/webhooks/mailgun", body, Map.of());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");

            postgres.restart();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (app.get("/healthz").statusCode() != 200) {
                assertThat(System.nanoTime()).as("healthy again within 30 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(app.suppressions(email)).as("nothing was recorded for the 503").isEmpty();

            HttpResponse<String> retried = app.post("/webhooks/mailgun", body, Map.of());

            assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
            assertThat(app.suppressions(email)).containsExactly("bounced");
        }
    }
}
