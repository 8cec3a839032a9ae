package dev.mailer.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.store.TestDatabase;
import dev.mailer.throttle.Pace;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.FaultySmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay or a provider that says to slow down (SPEC §6a rate limit), on a real PostgreSQL and a
 * purpose-built SMTP server that throttles: the run pauses, goes on over one connection, adds
 * connections back one at a time, and finishes every row in the same run; nobody fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimitTest {
    /** Pauses short enough for a test; one more connection after every 5 accepted messages. */
    static final Pace.Settings QUICK = new Pace.Settings(Duration.ofMillis(300), Duration.ofSeconds(3), 5);
    private static final int CONTACTS = 80;
    private static final int CONNECTIONS = 4;

    @TempDir
    Path templates;
    private TestDatabase db;
    private CampaignFixture campaign;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.fresh();
        campaign = CampaignFixture.create(templates, "paced-2026-12");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aRelayThatSaysSlowDownGetsOneConnectionThenMoreAndEveryRowIsSent() throws Exception {
        List<String> eligible = campaign.importContacts(db, CONTACTS, 0);
        try (FaultySmtpServer relay = FaultySmtpServer.start()) {
            relay.throttle("MAIL", "454 Throttling failure: Maximum sending rate exceeded.", CONNECTIONS);
            List<String> notes = new CopyOnWriteArrayList<>();

            RunResult result = campaign.run(db, relay.url("connections=" + CONNECTIONS), CampaignRun.Options.defaults(),
                    new Throttle(null, Map.of(), QUICK), p -> notes.add(String.valueOf(p.waitingFor())), QUICK);

            assertEverySentAfterOneConnection(relay, result, eligible);
            assertThat(result.report().warnings()).singleElement().satisfies(w -> {
                assertThat(w.code()).isEqualTo("rate_limited");
                assertThat(w.domain()).as("the relay's, for everyone").isNull();
                assertThat(w.reply()).startsWith("454 Throttling failure");
                assertThat(w.hint()).contains("SES");
            });
            assertThat(relay.connectionsOpened()).as("the slow-down is not a relay failure: no reconnect storm")
                    .isLessThanOrEqualTo(2 * CONNECTIONS);
        }
    }

    @Test
    void aProviderThatSaysSlowDownPacesItsDomainAndEveryRowIsSent() throws Exception {
        List<String> eligible = campaign.importContacts(db, CONTACTS, 0);
        try (FaultySmtpServer relay = FaultySmtpServer.start()) {
            relay.throttle("RCPT", "421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating\r\n"
                    + "421-4.7.28 from your IP address. To protect our users from spam, mail sent from your IP\r\n"
                    + "421 4.7.28 address has been temporarily rate limited. - gsmtp", CONNECTIONS);

            RunResult result = campaign.run(db, relay.url("connections=" + CONNECTIONS), CampaignRun.Options.defaults(),
                    new Throttle(null, Map.of(), QUICK), null, QUICK);

            assertEverySentAfterOneConnection(relay, result, eligible);
            assertThat(result.report().warnings()).singleElement().satisfies(w -> {
                assertThat(w.code()).isEqualTo("rate_limited");
                assertThat(w.domain()).isEqualTo("example.com");
                assertThat(w.reply()).contains("4.7.28");
                assertThat(w.hint()).contains("Gmail");
                assertThat(w.count()).as("the rows deferred for it, tried or not").isGreaterThanOrEqualTo(CONNECTIONS);
            });
        }
    }

    private void assertEverySentAfterOneConnection(FaultySmtpServer relay, RunResult result, List<String> eligible)
            throws Exception {
        assertThat(result.stoppedBy()).isNull();
        assertThat(relay.throttled()).isEqualTo(CONNECTIONS);
        assertThat(relay.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
        assertThat(List.of(result.report().sent(), result.report().failed(), result.report().held()))
                .containsExactly((long) CONTACTS, 0L, 0L);
        assertThat(db.count("select count(*) from suppression")).isZero();
        assertThat(db.count("select count(*) from feedback_event")).isZero();

        List<Integer> together = relay.transactionsAtAccept();
        assertThat(together.subList(0, QUICK.acceptedPerStep()))
                .as("after the pause, one message at a time until %d were accepted", QUICK.acceptedPerStep())
                .containsOnly(1);
        List<Integer> later = new ArrayList<>(together.subList(CONTACTS / 2, CONTACTS));
        assertThat(later.stream().mapToInt(Integer::intValue).max().orElse(0))
                .as("connections came back, one at a time").isBetween(2, CONNECTIONS);
        System.out.printf("RateLimitTest: messages under way together, in the order accepted: %s%n", together);
    }
}
