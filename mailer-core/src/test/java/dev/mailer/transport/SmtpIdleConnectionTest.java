package dev.mailer.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.transport.SendResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A long-lived connection that sat idle: relays hang up on idle clients (Postfix after 300 s,
 * many providers sooner), so before using a session unused for more than 10 s, SmtpConnection
 * asks NOOP and opens a fresh session when the answer is not 250. The message is then not lost
 * on a dead socket.
 */
class SmtpIdleConnectionTest {

    private static final String VERP = "bounces+c7.k42@kawiarnia.example";
    /** Just over the time after which SmtpConnection checks an unused session. */
    private static final Duration LONGER_THAN_THE_IDLE_CHECK = Duration.ofMillis(10_600);

    @Test
    void afterAnIdleSpellTheNextMessageGoesOutOnAFreshSessionWhenTheRelayHungUp() throws Exception {
        // both cases share one wait of more than 10 s
        try (FaultySmtpServer dropping = FaultySmtpServer.start().dropIdleAfter(Duration.ofMillis(300));
             FaultySmtpServer patient = FaultySmtpServer.start();
             SmtpConnection toDropping = new SmtpConnection(SmtpRelay.parse(dropping.url("")));
             SmtpConnection toPatient = new SmtpConnection(SmtpRelay.parse(patient.url("")))) {

            assertSent(toDropping.send(VERP, "anna@example.com", SmtpConnectionTest.message(1)));
            assertSent(toPatient.send(VERP, "anna@example.com", SmtpConnectionTest.message(1)));
            // used again at once: no check, same session
            assertSent(toPatient.send(VERP, "bob@example.com", SmtpConnectionTest.message(2)));
            assertThat(patient.noops()).isZero();

            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (dropping.idleDrops() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(dropping.idleDrops()).as("the relay hung up on the idle session").isEqualTo(1);
            assertThat(toDropping.isOpen()).as("this side has not noticed yet").isTrue();

            Thread.sleep(LONGER_THAN_THE_IDLE_CHECK.toMillis());

            SendResult afterDrop = toDropping.send(VERP, "bob@example.com", SmtpConnectionTest.message(2));
            assertSent(afterDrop);
            assertThat(toDropping.sessionsOpened()).as("a fresh session").isEqualTo(2);
            assertThat(dropping.connectionsOpened()).isEqualTo(2);
            assertThat(dropping.recipients()).containsExactly("anna@example.com", "bob@example.com");

            SendResult afterIdle = toPatient.send(VERP, "carl@example.com", SmtpConnectionTest.message(3));
            assertSent(afterIdle);
            assertThat(patient.noops()).as("the idle session was checked with NOOP").isEqualTo(1);
            assertThat(toPatient.sessionsOpened()).as("and kept, as the relay answered 250").isEqualTo(1);
            assertThat(patient.connectionsOpened()).isEqualTo(1);
            assertThat(patient.recipients()).containsExactly("anna@example.com", "bob@example.com", "carl@example.com");
        }
    }

    private static void assertSent(SendResult result) {
        assertThat(result.outcome()).as("%s", result).isEqualTo(Outcome.SENT);
    }
}
