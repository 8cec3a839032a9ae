package dev.mailer.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.transport.SendResult.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 2920 pipelining and RFC 3030 chunking against a server that answers every command in
 * order: the commands go out grouped, and each reply is still judged on its own.
 */
class SmtpPipeliningTest {
    private static final String VERP = "bounces+c7.k42@kawiarnia.example";

    private FaultySmtpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = FaultySmtpServer.start();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    @Test
    void aRefusedRecipientAmongPipelinedCommandsFailsThatMessageOnly() {
        server.rcptReply("gone@example.com", "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown");
        List<SendResult> results = new ArrayList<>();
        try (SmtpConnection connection = connection()) {
            for (String to : List.of("a@example.com", "gone@example.com", "b@example.com", "gone@example.com",
                    "c@example.com")) {
                results.add(connection.send(VERP, to, SmtpConnectionTest.message(results.size())));
            }
            assertThat(connection.pipelining()).isTrue();
            assertThat(connection.sessionsOpened()).isEqualTo(1);
        }

        assertThat(results).extracting(SendResult::outcome).containsExactly(Outcome.SENT, Outcome.PERMANENT,
                Outcome.SENT, Outcome.PERMANENT, Outcome.SENT);
        assertThat(results.get(1).code()).isEqualTo(550);
        assertThat(results.get(1).enhancedStatus()).isEqualTo("5.1.1");
        assertThat(results.get(1).reply()).contains("User unknown");
        assertThat(server.recipients()).containsExactly("a@example.com", "b@example.com", "c@example.com");
        assertThat(server.pipelinedMails()).as("MAIL went out with RCPT and DATA behind it").isEqualTo(5);
        assertThat(server.received().get(1).data()).isEqualTo(SmtpConnectionTest.message(2));
    }

    @Test
    void aRefusedSenderIsReadWithTheRepliesBehindItAndTheSessionGoesOn() {
        server.throttle("MAIL", "550 5.7.1 Email address is not verified. The following identities failed the check", 1);
        try (SmtpConnection connection = connection()) {
            SendResult refused = connection.send(VERP, "a@example.com", SmtpConnectionTest.message(1));
            SendResult next = connection.send(VERP, "b@example.com", SmtpConnectionTest.message(2));

            assertThat(refused.outcome()).isEqualTo(Outcome.PERMANENT);
            assertThat(refused.code()).isEqualTo(550);
            assertThat(refused.reply()).contains("not verified");
            assertThat(next.outcome()).isEqualTo(Outcome.SENT);
            assertThat(connection.sessionsOpened()).isEqualTo(1);
        }
        assertThat(server.recipients()).containsExactly("b@example.com");
    }

    @Test
    void aRateLimitAtRcptIsTransientForThatMessage() {
        server.throttle("RCPT", "452 4.3.1 Insufficient system resources", 1);
        try (SmtpConnection connection = connection()) {
            assertThat(connection.send(VERP, "a@example.com", SmtpConnectionTest.message(1)).code()).isEqualTo(452);
            assertThat(connection.send(VERP, "a@example.com", SmtpConnectionTest.message(1)).outcome())
                    .isEqualTo(Outcome.SENT);
        }
        assertThat(server.recipients()).containsExactly("a@example.com");
    }

    @Test
    void aServerWithoutPipeliningIsSpokenToInLockStep() {
        server.lockStep().rcptReply("gone@example.com", "550 5.1.1 User unknown");
        try (SmtpConnection connection = connection()) {
            assertThat(connection.send(VERP, "a@example.com", SmtpConnectionTest.message(1)).outcome())
                    .isEqualTo(Outcome.SENT);
            assertThat(connection.send(VERP, "gone@example.com", SmtpConnectionTest.message(2)).outcome())
                    .isEqualTo(Outcome.PERMANENT);
            assertThat(connection.send(VERP, "b@example.com", SmtpConnectionTest.message(3)).outcome())
                    .isEqualTo(Outcome.SENT);
            assertThat(connection.pipelining()).isFalse();
        }
        assertThat(server.pipelinedMails()).isZero();
        assertThat(server.recipients()).containsExactly("a@example.com", "b@example.com");
        assertThat(server.received().get(0).data()).isEqualTo(SmtpConnectionTest.message(1));
    }

    @Test
    void chunkingSendsTheMessageAsItIsInOneBdatWithItsEnvelope() {
        server.chunking().rcptReply("gone@example.com", "550 5.1.1 User unknown");
        List<SendResult> results = new ArrayList<>();
        try (SmtpConnection connection = connection()) {
            for (String to : List.of("a@example.com", "gone@example.com", "b@example.com")) {
                results.add(connection.send(VERP, to, SmtpConnectionTest.message(results.size())));
            }
            assertThat(connection.sessionsOpened()).isEqualTo(1);
        }

        assertThat(results).extracting(SendResult::outcome)
                .containsExactly(Outcome.SENT, Outcome.PERMANENT, Outcome.SENT);
        assertThat(results.get(1).reply()).isEqualTo("550 5.1.1 User unknown");
        assertThat(server.bdats()).isEqualTo(3);
        assertThat(server.recipients()).containsExactly("a@example.com", "b@example.com");
        // lines that start with a dot arrive as they were: BDAT carries bytes, nothing is stuffed
        assertThat(server.received().get(0).data()).isEqualTo(SmtpConnectionTest.message(0));
        assertThat(server.received().get(1).data()).isEqualTo(SmtpConnectionTest.message(2));
    }

    @Test
    void chunkingWithoutPipeliningWaitsForEachReply() {
        server.lockStep().chunking().dataReply("full@example.com", "452 4.2.2 Mailbox full");
        try (SmtpConnection connection = connection()) {
            assertThat(connection.send(VERP, "full@example.com", SmtpConnectionTest.message(1)).code()).isEqualTo(452);
            assertThat(connection.send(VERP, "a@example.com", SmtpConnectionTest.message(2)).outcome())
                    .isEqualTo(Outcome.SENT);
        }
        assertThat(server.bdats()).isEqualTo(2);
        assertThat(server.received()).extracting(FaultySmtpServer.Received::data)
                .containsExactly(SmtpConnectionTest.message(2));
    }

    @Test
    void aMessageWithoutAFinalLineEndStillEndsCleanly() {
        byte[] unterminated = "Subject: x\r\n\r\nno line end at the end".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (SmtpConnection connection = connection()) {
            assertThat(connection.send(VERP, "a@example.com", unterminated).outcome()).isEqualTo(Outcome.SENT);
            assertThat(connection.send(VERP, "b@example.com", SmtpConnectionTest.message(1)).outcome())
                    .isEqualTo(Outcome.SENT);
        }
        assertThat(server.received().get(0).text()).isEqualTo("Subject: x\r\n\r\nno line end at the end\r\n");
    }

    @Test
    void theMarkIsAskedForWhileTheEnvelopeIsOnTheWireAndARefusalDeliversNothing() throws Exception {
        try (SmtpConnection connection = connection()) {
            List<Integer> seenBeforeMark = new ArrayList<>();
            SendResult first = connection.send(VERP, "a@example.com", SmtpConnectionTest.message(1), () -> {
                seenBeforeMark.add(server.received().size());
                return true;
            }).orElseThrow();
            java.util.Optional<SendResult> refused = connection.send(VERP, "b@example.com",
                    SmtpConnectionTest.message(2), () -> false);
            SendResult after = connection.send(VERP, "c@example.com", SmtpConnectionTest.message(3));

            assertThat(first.outcome()).isEqualTo(Outcome.SENT);
            assertThat(seenBeforeMark).containsExactly(0);
            assertThat(refused).isEmpty();
            assertThat(after.outcome()).isEqualTo(Outcome.SENT);
            assertThat(connection.sessionsOpened()).as("the refused envelope's session was dropped").isEqualTo(2);
        }
        assertThat(server.recipients()).containsExactly("a@example.com", "c@example.com");
    }

    @Test
    void theMarkIsAskedForOnceAlsoWhenTheRelayCannotBeReached() throws Exception {
        server.greeting("554 5.3.2 faulty.test no service");
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        try (SmtpConnection connection = connection()) {
            SendResult result = connection.send(VERP, "a@example.com", SmtpConnectionTest.message(1), () -> {
                asked.incrementAndGet();
                return true;
            }).orElseThrow();
            assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
            assertThat(result.code()).isEqualTo(554);
        }
        assertThat(asked).hasValue(1);
    }

    @Test
    void mailFromCarriesTheSizeAndSmtputf8FromTheFirstMessageOfASession() {
        server.smtpUtf8();
        byte[] message = SmtpConnectionTest.message(1);
        try (SmtpConnection connection = connection()) {
            assertThat(connection.send(VERP, "zofia@żółw.example", message).outcome()).isEqualTo(Outcome.SENT);
            assertThat(connection.send(VERP, "jan@example.com", message).outcome()).isEqualTo(Outcome.SENT);
        }
        assertThat(server.mailCommands()).containsExactly(
                "MAIL FROM:<" + VERP + "> SIZE=" + message.length + " SMTPUTF8",
                "MAIL FROM:<" + VERP + "> SIZE=" + message.length);
    }

    private SmtpConnection connection() {
        return new SmtpConnection(SmtpRelay.parse(server.url("timeout=5")));
    }
}
