package dev.mailer.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.transport.SendResult.Outcome;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SmtpConnectionTest {

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
    void greenMailReceivesTwoHundredMessagesOverOneConnectionByteForByte() throws Exception {
        GreenMail greenMail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        greenMail.start();
        try {
            SmtpRelay relay = SmtpRelay.parse("smtp://127.0.0.1:" + greenMail.getSmtp().getPort() + "?tls=none");
            Map<String, byte[]> bodies = new HashMap<>();
            try (SmtpConnection connection = new SmtpConnection(relay)) {
                for (int i = 0; i < 200; i++) {
                    // one recipient: GreenMail logs every mailbox it creates
                    SendResult result = connection.send(VERP, "jan@example.com", message(i));
                    assertThat(result.outcome()).as("message %d: %s", i, result).isEqualTo(Outcome.SENT);
                    assertThat(result.code()).isEqualTo(250);
                    bodies.put("<m" + i + "@kawiarnia.example>", body(message(i)));
                }
                assertThat(connection.sessionsOpened()).isEqualTo(1);
            }

            assertThat(greenMail.waitForIncomingEmail(5_000, 200)).isTrue();
            MimeMessage[] received = greenMail.getReceivedMessages();
            assertThat(received).hasSize(200);
            for (MimeMessage m : received) {
                byte[] expected = bodies.remove(m.getMessageID());
                assertThat(expected).as("unexpected or duplicate %s", m.getMessageID()).isNotNull();
                try (InputStream raw = m.getRawInputStream()) {
                    // GreenMail stores the data without the CRLF that ends its last line (it takes
                    // it for part of the terminator); FaultySmtpServer checks that CRLF arrives
                    assertThat(raw.readAllBytes()).isEqualTo(Arrays.copyOf(expected, expected.length - 2));
                }
                assertThat(m.getHeader("Return-Path", null)).isEqualTo("<" + VERP + ">");
            }
            assertThat(bodies).isEmpty();
        } finally {
            greenMail.stop();
        }
    }

    @Test
    void logsInWithPercentDecodedCredentials() {
        GreenMail greenMail = new GreenMail(ServerSetupTest.SMTP.dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig()
                        .withUser("bounces@kawiarnia.example", "bounces@kawiarnia.example", "s3cr:t@1"));
        greenMail.start();
        try {
            String base = "@127.0.0.1:" + greenMail.getSmtp().getPort() + "?tls=none&timeout=5";
            try (SmtpConnection good = new SmtpConnection(
                    SmtpRelay.parse("smtp://bounces%40kawiarnia.example:s3cr%3At%401" + base))) {
                assertThat(good.send(VERP, "jan@example.com", message(1)).outcome()).isEqualTo(Outcome.SENT);
            }
            try (SmtpConnection bad = new SmtpConnection(
                    SmtpRelay.parse("smtp://bounces%40kawiarnia.example:wrong" + base))) {
                SendResult result = bad.send(VERP, "jan@example.com", message(2));
                assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
                assertThat(result.code()).isEqualTo(535);
                assertThat(result.reply()).doesNotContain("wrong");
                assertThat(bad.isOpen()).isFalse();
            }
        } finally {
            greenMail.stop();
        }
    }

    @Test
    void reusesOneConnectionAndWritesTheBytesUnchanged() {
        try (SmtpConnection connection = connection("")) {
            for (int i = 0; i < 200; i++) {
                assertThat(connection.send(VERP, "jan" + i + "@example.com", message(i)).outcome()).isEqualTo(Outcome.SENT);
            }
        }

        assertThat(server.connectionsOpened()).isEqualTo(1);
        List<FaultySmtpServer.Received> received = server.received();
        assertThat(received).hasSize(200);
        for (int i = 0; i < 200; i++) {
            assertThat(received.get(i).envelopeFrom()).isEqualTo(VERP);
            assertThat(received.get(i).recipients()).containsExactly("jan" + i + "@example.com");
            assertThat(received.get(i).data()).isEqualTo(message(i));
        }
    }

    @Test
    void reconnectsAfterMessagesPerConnection() {
        try (SmtpConnection connection = connection("messages-per-connection=50")) {
            for (int i = 0; i < 200; i++) {
                assertThat(connection.send(VERP, "jan@example.com", message(i)).outcome()).isEqualTo(Outcome.SENT);
            }
            assertThat(connection.sessionsOpened()).isEqualTo(4);
        }
        assertThat(server.connectionsOpened()).isEqualTo(4); // ceil(200 / 50)
        assertThat(server.received()).hasSize(200);
    }

    @Test
    void unknownUserAtRcptIsPermanentAndTheSessionGoesOn() {
        server.rcptReply("nobody@example.com", "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown");
        try (SmtpConnection connection = connection("")) {
            SendResult result = connection.send(VERP, "nobody@example.com", message(1));

            assertThat(result.outcome()).isEqualTo(Outcome.PERMANENT);
            assertThat(result.code()).isEqualTo(550);
            assertThat(result.enhancedStatus()).isEqualTo("5.1.1");
            assertThat(result.reply()).isEqualTo("550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown");
            assertThat(result.queueId()).isNull();

            assertThat(connection.send(VERP, "jan@example.com", message(2)).outcome()).isEqualTo(Outcome.SENT);
        }
        assertThat(server.connectionsOpened()).isEqualTo(1);
        assertThat(server.received()).extracting(r -> r.recipients().get(0)).containsExactly("jan@example.com");
    }

    @Test
    void temporaryFailureAfterDataIsTransient() {
        server.dataReply("later@example.com", "451 4.3.0 Error: queue file write error");
        try (SmtpConnection connection = connection("")) {
            SendResult result = connection.send(VERP, "later@example.com", message(1));

            assertThat(result.outcome()).isEqualTo(Outcome.TRANSIENT);
            assertThat(result.code()).isEqualTo(451);
            assertThat(result.enhancedStatus()).isEqualTo("4.3.0");
            assertThat(connection.send(VERP, "jan@example.com", message(2)).outcome()).isEqualTo(Outcome.SENT);
        }
        assertThat(server.connectionsOpened()).isEqualTo(1);
    }

    @Test
    void rejectionsAfterDataArePermanent() {
        server.dataReply("big@example.com", "552 5.3.4 Message size exceeds fixed limit")
                .dataReply("spam@example.com", "554 5.7.1 Rejected: spam content");
        try (SmtpConnection connection = connection("")) {
            SendResult big = connection.send(VERP, "big@example.com", message(1));
            SendResult spam = connection.send(VERP, "spam@example.com", message(2));

            assertThat(big).extracting(SendResult::outcome, SendResult::code, SendResult::enhancedStatus)
                    .containsExactly(Outcome.PERMANENT, 552, "5.3.4");
            assertThat(spam).extracting(SendResult::outcome, SendResult::code, SendResult::enhancedStatus)
                    .containsExactly(Outcome.PERMANENT, 554, "5.7.1");
        }
    }

    @Test
    void busyGreetingIsTransientAndTheNextSendConnectsAgain() {
        server.greeting("421 4.3.2 faulty.test Service not available, try later");
        try (SmtpConnection connection = connection("")) {
            SendResult result = connection.send(VERP, "jan@example.com", message(1));

            assertThat(result.outcome()).isEqualTo(Outcome.TRANSIENT);
            assertThat(result.code()).isEqualTo(421);
            assertThat(result.enhancedStatus()).isEqualTo("4.3.2");
            assertThat(connection.isOpen()).isFalse();

            server.greeting("220 faulty.test ESMTP ready");
            assertThat(connection.send(VERP, "jan@example.com", message(2)).outcome()).isEqualTo(Outcome.SENT);
        }
        assertThat(server.connectionsOpened()).isEqualTo(2);
    }

    @Test
    void closingMidSessionWith421IsTransientAndTheNextSendUsesANewConnection() {
        server.closeAfterMessages(2);
        try (SmtpConnection connection = connection("")) {
            assertThat(connection.send(VERP, "a@example.com", message(1)).outcome()).isEqualTo(Outcome.SENT);
            assertThat(connection.send(VERP, "b@example.com", message(2)).outcome()).isEqualTo(Outcome.SENT);

            SendResult third = connection.send(VERP, "c@example.com", message(3));
            assertThat(third.outcome()).isEqualTo(Outcome.TRANSIENT);
            assertThat(third.code()).isEqualTo(421);
            assertThat(third.enhancedStatus()).isEqualTo("4.4.2");
            assertThat(connection.isOpen()).isFalse();

            assertThat(connection.send(VERP, "c@example.com", message(3)).outcome()).isEqualTo(Outcome.SENT);
        }
        assertThat(server.connectionsOpened()).isEqualTo(2);
        assertThat(server.received()).extracting(r -> r.recipients().get(0))
                .containsExactly("a@example.com", "b@example.com", "c@example.com");
    }

    @Test
    void droppedAfterDataIsAConnectionFailureAndTheNextSendReconnects() {
        server.dropAfterData("lost@example.com");
        try (SmtpConnection connection = connection("")) {
            SendResult result = connection.send(VERP, "lost@example.com", message(1));

            assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
            assertThat(result.code()).isZero();
            assertThat(result.reply()).contains("127.0.0.1:" + server.port());
            assertThat(connection.isOpen()).isFalse();

            assertThat(connection.send(VERP, "jan@example.com", message(2)).outcome()).isEqualTo(Outcome.SENT);
        }
        assertThat(server.connectionsOpened()).isEqualTo(2);
    }

    @Test
    void serverThatNeverGreetsTimesOut() {
        server.stallAtGreeting(true);
        assertTimesOut();
    }

    @Test
    void serverThatStopsAnsweringAfterDataTimesOut() {
        server.stallAfterData(true);
        assertTimesOut();
    }

    @Test
    void aRelayThatStopsReadingFailsTheWriteAfterTheTimeout() {
        server.stopReadingAtData();
        byte[] big = new byte[64 * 1024 * 1024]; // more than any socket buffers between the two
        Arrays.fill(big, (byte) 'x');
        for (int i = 998; i < big.length; i += 1000) {
            big[i] = '\r';
            big[i + 1] = '\n';
        }
        long start = System.nanoTime();
        try (SmtpConnection connection = connection("timeout=1")) {
            SendResult result = connection.send(VERP, "jan@example.com", big);
            assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
            assertThat(result.reply()).startsWith("connection lost to ");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(server.received()).isEmpty();
    }

    @Test
    void refusedConnectionIsAConnectionFailure() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (SmtpConnection connection = new SmtpConnection(
                SmtpRelay.parse("smtp://127.0.0.1:" + closedPort + "?tls=none&timeout=2"))) {
            SendResult result = connection.send(VERP, "jan@example.com", message(1));
            assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
            assertThat(result.reply()).startsWith("cannot connect to smtp://127.0.0.1:" + closedPort);
        }
    }

    @Test
    void requiredStarttlsThatTheServerDoesNotOfferIsAConnectionFailure() {
        try (SmtpConnection connection = new SmtpConnection(
                SmtpRelay.parse("smtp://127.0.0.1:" + server.port() + "?tls=starttls&timeout=2"))) {
            SendResult result = connection.send(VERP, "jan@example.com", message(1));
            assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
            assertThat(result.reply()).contains("STARTTLS");
        }
        assertThat(server.received()).isEmpty();
    }

    @Test
    void implicitTlsToAPlainServerIsAConnectionFailure() {
        long start = System.nanoTime();
        try (SmtpConnection connection = new SmtpConnection(
                SmtpRelay.parse("smtps://127.0.0.1:" + server.port() + "?timeout=2"))) {
            assertThat(connection.send(VERP, "jan@example.com", message(1)).outcome()).isEqualTo(Outcome.CONNECTION);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(server.received()).isEmpty();
    }

    @Test
    void parsesQueueIdsFromTheServersReply() {
        List<String[]> styles = List.of(
                new String[] {"250 2.0.0 Ok: queued as %s", "Q1"},
                new String[] {"250 2.0.0 %s Message accepted for delivery", "Q2"},
                new String[] {"250 OK id=%s", "Q3"},
                new String[] {"250 Ok", null});
        List<SendResult> results = new ArrayList<>();
        try (SmtpConnection connection = connection("")) {
            for (String[] style : styles) {
                server.acceptReply(style[0]);
                results.add(connection.send(VERP, "jan@example.com", message(1)));
            }
        }
        for (int i = 0; i < styles.size(); i++) {
            assertThat(results.get(i).outcome()).isEqualTo(Outcome.SENT);
            assertThat(results.get(i).queueId()).isEqualTo(styles.get(i)[1]);
        }
        assertThat(results.get(0).reply()).isEqualTo("250 2.0.0 Ok: queued as Q1");
        assertThat(results.get(0).enhancedStatus()).isEqualTo("2.0.0");
    }

    @Test
    void recognisesQueueIdsOfCommonRelays() {
        assertThat(SendResult.parseQueueId("250 2.0.0 Ok: queued as 4XyZ1k0bQnz9")).isEqualTo("4XyZ1k0bQnz9");
        assertThat(SendResult.parseQueueId("250 Ok: queued as ABC123")).isEqualTo("ABC123");
        assertThat(SendResult.parseQueueId("250 2.0.0 x8ABCdef012345 Message accepted for delivery")).isEqualTo("x8ABCdef012345");
        assertThat(SendResult.parseQueueId("250 <20260101.abc@mx.example> Message accepted")).isEqualTo("20260101.abc@mx.example");
        assertThat(SendResult.parseQueueId("250 OK id=1rAbCd-0001Xy-2a")).isEqualTo("1rAbCd-0001Xy-2a");
        assertThat(SendResult.parseQueueId("250 2.6.0 <a1b2@EX1.contoso.example> [InternalId=123, Hostname=EX1] "
                + "Queued mail for delivery")).isEqualTo("a1b2@EX1.contoso.example");
        assertThat(SendResult.parseQueueId("250 2.0.0 OK  1767225600 a1-20020a05600c000000b0040e4a8cd5ecsi123456wmq.42 - gsmtp"))
                .isEqualTo("a1-20020a05600c000000b0040e4a8cd5ecsi123456wmq.42");
        assertThat(SendResult.parseQueueId("250 Ok 0100018c2f4e5b6a-1a2b3c4d-5e6f-4a5b-8c9d-0e1f2a3b4c5d-000000"))
                .isEqualTo("0100018c2f4e5b6a-1a2b3c4d-5e6f-4a5b-8c9d-0e1f2a3b4c5d-000000");
        assertThat(SendResult.parseQueueId("250 OK")).isNull();
        assertThat(SendResult.parseQueueId("250 2.0.0 Ok")).isNull();
        assertThat(SendResult.parseQueueId(null)).isNull();
    }

    @Test
    void readsEnhancedStatusOnlyWhenThereIsOne() {
        assertThat(SendResult.parseEnhancedStatus("550 5.1.1 User unknown")).isEqualTo("5.1.1");
        assertThat(SendResult.parseEnhancedStatus("452-4.2.2 Mailbox full")).isEqualTo("4.2.2");
        assertThat(SendResult.parseEnhancedStatus("550 User unknown")).isNull();
        assertThat(SendResult.parseEnhancedStatus("250 1.2.3.4 ok")).isNull();
    }

    @Test
    void refusesAddressesThatWouldInjectSmtpCommands() {
        try (SmtpConnection connection = connection("")) {
            assertThatThrownBy(() -> connection.send(VERP, "jan@example.com>\r\nRCPT TO:<x@evil.example", message(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> connection.send("a\nb@example.com", "jan@example.com", message(1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(server.connectionsOpened()).isZero();
    }

    private void assertTimesOut() {
        long start = System.nanoTime();
        SendResult result;
        try (SmtpConnection connection = connection("timeout=2")) {
            result = connection.send(VERP, "jan@example.com", message(1));
            assertThat(connection.isOpen()).isFalse();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
        assertThat(result.reply()).contains("SocketTimeoutException");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1_500)).isLessThan(Duration.ofSeconds(10));
    }

    private SmtpConnection connection(String options) {
        return new SmtpConnection(SmtpRelay.parse(server.url(options)));
    }

    /** A complete message with lines that need dot-stuffing and 8-bit text, CRLF throughout. */
    static byte[] message(int n) {
        String text = "From: Kawiarnia Nowak <news@kawiarnia.example>\r\n"
                + "To: jan" + n + "@example.com\r\n"
                + "Subject: Message " + n + "\r\n"
                + "Message-ID: <m" + n + "@kawiarnia.example>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"
                + "Dzień dobry, message " + n + ".\r\n"
                + ".a line that starts with a dot\r\n"
                + "..and one with two\r\n"
                + ".\r\n"
                + "Zażółć gęślą jaźń\r\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] body(byte[] message) {
        byte[] separator = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + separator.length <= message.length; i++) {
            if (Arrays.equals(message, i, i + separator.length, separator, 0, separator.length)) {
                return Arrays.copyOfRange(message, i + separator.length, message.length);
            }
        }
        throw new IllegalArgumentException("no header/body separator");
    }
}
