package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.store.CrashablePostgres;
import dev.mailer.transport.FaultySmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes away under a real {@code mailer send} (a child JVM): its PostgreSQL server is
 * killed with SIGKILL (the run notices, stops handing messages to SMTP, and exits 6 with one
 * sentence, no stack trace, saying how many messages are in doubt), or frozen with SIGSTOP (SIGTERM
 * still ends the run within 10 s). Once the server is back, the same command finishes the
 * campaign, and the SMTP server has received nobody twice: in-flight marks are committed durably,
 * so a crash of the server itself cannot make a marked row go out again.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DatabaseCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONTACTS = 1500;
    private static final int CONNECTIONS = 8;
    /** ~100 messages a second: the crash lands mid-campaign, the test stays short. */
    private static final String RATE = "6000/min";

    @TempDir
    Path dir;

    @Test
    void killingThePostgresServerMidSendStopsTheRunWithExit6AndTheResumeMailsNobodyTwice() throws Exception {
        try (CrashablePostgres postgres = CrashablePostgres.start(dir.resolve("pg"));
             FaultySmtpServer server = FaultySmtpServer.start()) {
            ShopFixture shop = shop(postgres);
            Path campaign = shop.campaign("crash", RATE);
            List<String> eligible = shop.importContacts(CONTACTS);
            String relay = server.url("connections=" + CONNECTIONS);

            long killedAt;
            Integer exit;
            String output;
            String out;
            try (MailerProcess child = shop.startSend("send", campaign, relay)) {
                awaitReceived(server, child, 300);
                killedAt = System.nanoTime();
                postgres.kill();
                exit = child.waitFor(Duration.ofSeconds(60));
                output = child.output();
                out = child.out();
            }
            double secondsToExit = (System.nanoTime() - killedAt) / 1e9;
            assertThat(exit).as("exited within 60 s of the crash:\n" + output).isEqualTo(6);
            assertOneSentence(output, "stopped answering", "in doubt", "run the same command again");
            JsonNode error = JSON.readTree(out).get("error");
            assertThat(error.get("kind").asText()).isEqualTo("database_unreachable");
            int receivedBeforeResume = server.recipients().size();

            postgres.restart();
            CliRunner.Result resumed = shop.send(campaign, relay);

            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            Map<String, Long> statuses = shop.statusCounts();
            long unknown = statuses.getOrDefault("unknown", 0L);
            assertThat(server.recipients()).as("nobody twice").doesNotHaveDuplicates().isSubsetOf(eligible);
            assertThat(statuses.keySet()).as(statuses.toString()).isSubsetOf(Set.of("sent", "unknown"));
            assertThat(statuses.get("sent") + unknown).isEqualTo(CONTACTS);
            assertThat(unknown).as("in doubt: at most one message per SMTP connection").isLessThanOrEqualTo(CONNECTIONS);
            assertThat(server.recipients().size()).as("lost: only in-doubt messages")
                    .isGreaterThanOrEqualTo((int) (CONTACTS - unknown));
            System.out.printf("DatabaseCrashTest (kill -9): exit 6 after %.1f s; received %d before the resume;"
                    + " in doubt %d; received in all %d of %d, no duplicates%n", secondsToExit, receivedBeforeResume,
                    unknown, server.recipients().size(), CONTACTS);
        }
    }

    @Test
    void sigtermWhileTheDatabaseHangsEndsTheRunWithin10SecondsAndTheResumeMailsNobodyTwice() throws Exception {
        try (CrashablePostgres postgres = CrashablePostgres.start(dir.resolve("pg"));
             FaultySmtpServer server = FaultySmtpServer.start()) {
            ShopFixture shop = shop(postgres);
            Path campaign = shop.campaign("hung", RATE);
            List<String> eligible = shop.importContacts(CONTACTS);
            String relay = server.url("connections=" + CONNECTIONS);

            Integer exit;
            String output;
            double secondsToExit;
            try (MailerProcess child = shop.startSend("send", campaign, relay)) {
                awaitReceived(server, child, 200);
                // the worst case for a stop: a server that takes connections and answers nothing
                postgres.freeze();
                try {
                    Thread.sleep(1000); // every sender of the child is now waiting for the database
                    assertThat(child.isAlive()).as("a hung database is not noticed at once").isTrue();
                    child.signal("TERM");
                    long signalled = System.nanoTime();
                    exit = child.waitFor(Duration.ofSeconds(10));
                    secondsToExit = (System.nanoTime() - signalled) / 1e9;
                    output = child.output();
                } finally {
                    postgres.thaw();
                }
            }
            assertThat(exit).as("ended within 10 s of SIGTERM:\n" + output).isEqualTo(130);
            assertThat(output).as(output).doesNotContain("\tat ").doesNotContain("HikariPool");

            CliRunner.Result resumed = shop.send(campaign, relay);

            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            Map<String, Long> statuses = shop.statusCounts();
            long unknown = statuses.getOrDefault("unknown", 0L);
            assertThat(server.recipients()).as("nobody twice").doesNotHaveDuplicates().isSubsetOf(eligible);
            assertThat(statuses.get("sent") + unknown).isEqualTo(CONTACTS);
            assertThat(unknown).isLessThanOrEqualTo(CONNECTIONS);
            System.out.printf("DatabaseCrashTest (hung database + SIGTERM): exit %d after %.1f s; in doubt %d;"
                    + " no duplicates%n", exit, secondsToExit, unknown);
        }
    }

    private ShopFixture shop(CrashablePostgres postgres) throws Exception {
        return ShopFixture.create(dir, new CliRunner(postgres.jdbcUrl(), postgres.user(), postgres.password()));
    }

    static void awaitReceived(FaultySmtpServer server, MailerProcess child, int messages) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (server.recipients().size() < messages) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                fail("the child sent " + server.recipients().size() + " messages:\n" + child.output());
            }
            Thread.sleep(5);
        }
    }

    /** One sentence on stderr with these words, no stack trace, none of HikariCP's own warnings. */
    static void assertOneSentence(String output, String... words) {
        assertThat(output).contains(words).doesNotContain("\tat ").doesNotContain("HikariPool")
                .doesNotContain("Exception");
    }
}
