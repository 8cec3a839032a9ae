package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.transport.FaultySmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what {@code kill} and systemd send; Ctrl-C's SIGINT takes the same path) to a real
 * {@code mailer send} process: it finishes the messages in flight, writes every outcome, exits
 * 130, and leaves nothing in doubt; the next run sends the rest, nobody twice.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class InterruptedSendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONTACTS = 120;

    @TempDir
    Path dir;

    @Test
    void sigtermFinishesWhatIsInFlightExitsWith130AndTheNextRunSendsTheRestOnce() throws Exception {
        ShopFixture shop = ShopFixture.create(dir, new CliRunner());
        // slow enough that the signal lands mid-campaign, fast enough for a short test
        Path campaign = shop.campaign("interrupted", "1200/min");
        shop.importContacts(CONTACTS);

        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            String relay = server.url("connections=4");
            int exit;
            String output;
            String out;
            try (MailerProcess child = shop.startSend("child", campaign, relay)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (server.recipients().size() < 20) {
                    if (!child.isAlive() || System.nanoTime() > deadline) {
                        fail("the child sent " + server.recipients().size() + " messages:\n" + child.output());
                    }
                    Thread.sleep(10);
                }
                child.signal("TERM");
                Integer code = child.waitFor(Duration.ofSeconds(30));
                assertThat(code).as("the child stopped").isNotNull();
                exit = code;
                output = child.output();
                out = child.out();
            }
            assertThat(exit).as(output).isEqualTo(130);
            JsonNode report = JSON.readTree(out);
            int receivedFromChild = server.recipients().size();
            assertThat(receivedFromChild).as("stopped mid-campaign").isLessThan(CONTACTS);
            assertThat(report.get("sent").asLong()).as("the summary counts what the server got")
                    .isEqualTo(receivedFromChild);

            assertThat(shop.statusCounts()).as("nothing in doubt or left in flight after a graceful stop")
                    .containsOnlyKeys("sent", "pending")
                    .containsEntry("sent", (long) receivedFromChild);
            assertThat(shop.count("select count(*) from delivery where lease_owner is not null"))
                    .as("leases handed back").isZero();

            CliRunner.Result resumed = shop.send(campaign, relay);
            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(JSON.readTree(resumed.out()).get("sent").asLong()).isEqualTo(CONTACTS);
            assertThat(server.recipients()).as("everybody once").hasSize(CONTACTS).doesNotHaveDuplicates();
        }
    }
}
