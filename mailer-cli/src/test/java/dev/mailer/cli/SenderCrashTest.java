package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.transport.FaultySmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender that dies or freezes mid-campaign (a real {@code mailer send} child JVM, on the shared
 * test PostgreSQL): the same command run again at once finishes the campaign, and a frozen sender
 * that wakes up after its rows were taken over sends none of them. Counted at the SMTP server:
 * nobody twice.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SenderCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONTACTS = 1500;
    private static final int CONNECTIONS = 8;
    private static final String RATE = "6000/min";

    @TempDir
    Path dir;

    @Test
    void aRunKilledWithSigkillIsFinishedByTheSameCommandRunAgainAtOnce() throws Exception {
        ShopFixture shop = ShopFixture.create(dir, new CliRunner());
        Path campaign = shop.campaign("killed", RATE);
        List<String> eligible = shop.importContacts(CONTACTS);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            String relay = server.url("connections=" + CONNECTIONS);
            try (MailerProcess child = shop.startSend("killed", campaign, relay)) {
                DatabaseCrashTest.awaitReceived(server, child, 300);
                child.signal("KILL");
                assertThat(child.waitFor(Duration.ofSeconds(10))).isEqualTo(137);
            }
            long leased = shop.count("select count(*) from delivery where lease_owner is not null and status = 'pending'");

            CliRunner.Result resumed = shop.send(campaign, relay);

            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(resumed.err()).as("a sender of this machine whose process is gone is not waited for")
                    .doesNotContain("waiting");
            JsonNode report = JSON.readTree(resumed.out());
            Map<String, Long> statuses = shop.statusCounts();
            long unknown = statuses.getOrDefault("unknown", 0L);
            assertThat(statuses.keySet()).as(statuses.toString()).isSubsetOf(Set.of("sent", "unknown"));
            assertThat(report.get("sent").asLong() + report.get("unknown").asLong()).isEqualTo(CONTACTS);
            assertThat(report.get("pending").asLong()).isZero();
            assertThat(unknown).isLessThanOrEqualTo(CONNECTIONS);
            assertThat(server.recipients()).as("nobody twice").doesNotHaveDuplicates().isSubsetOf(eligible)
                    .hasSizeGreaterThanOrEqualTo((int) (CONTACTS - unknown));
            System.out.printf("SenderCrashTest (kill -9 of mailer): the dead sender left %d rows leased; the"
                    + " immediate rerun took them over, %d in doubt, no duplicates%n", leased, unknown);
        }
    }

    @Test
    void aSenderFrozenPastItsSilenceLimitWhileAnotherWorksSendsNoneOfTheRowsTakenFromIt() throws Exception {
        ShopFixture shop = ShopFixture.create(dir, new CliRunner());
        Path campaign = shop.campaign("frozen", RATE);
        List<String> eligible = shop.importContacts(CONTACTS);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            String relay = server.url("connections=" + CONNECTIONS);
            try (MailerProcess frozen = shop.startSend("frozen", campaign, relay)) {
                DatabaseCrashTest.awaitReceived(server, frozen, 200);
                frozen.signal("STOP");
                long stoppedAt = System.nanoTime();
                CompletableFuture<CliRunner.Result> other = CompletableFuture.supplyAsync(() -> shop.send(campaign, relay));
                // thawed while the other sender is working on the rows it took over from this one
                Thread.sleep(Math.max(0, 14_000 - (System.nanoTime() - stoppedAt) / 1_000_000));
                frozen.signal("CONT");
                CliRunner.Result second = other.get(120, TimeUnit.SECONDS);
                Integer thawedExit = frozen.waitFor(Duration.ofSeconds(60));

                assertThat(second.exitCode()).as(second.err()).isZero();
                assertThat(second.err()).as("it said what it waited for").contains("waiting up to", "before taking its rows over");
                assertThat(thawedExit).as(frozen.output()).isZero();
                assertThat(frozen.err()).contains("not heard from");
            }
            Map<String, Long> statuses = shop.statusCounts();
            long unknown = statuses.getOrDefault("unknown", 0L);
            assertThat(server.recipients()).as("nobody twice").doesNotHaveDuplicates().isSubsetOf(eligible)
                    .hasSizeGreaterThanOrEqualTo((int) (CONTACTS - unknown));
            assertThat(statuses.keySet()).as(statuses.toString()).isSubsetOf(Set.of("sent", "unknown"));
            assertThat(unknown).isLessThanOrEqualTo(CONNECTIONS);
            System.out.printf("SenderCrashTest (SIGSTOP 14 s, then SIGCONT): %s; received %d of %d, no duplicates%n",
                    statuses, server.recipients().size(), CONTACTS);
        }
    }
}
