package dev.mailer.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.transport.SendResult;
import dev.mailer.transport.SmtpConnection;
import dev.mailer.transport.SmtpRelay;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The benchmark's sink takes what mailer's SMTP client sends, pipelined, by DATA or by BDAT. */
class DiscardSmtpServerTest {

    @ParameterizedTest(name = "chunking {0}")
    @ValueSource(booleans = {false, true})
    void countsEveryMessageOfAPipelinedSession(boolean chunking) throws Exception {
        byte[] message = ("Subject: bench\r\n\r\n.a line with a dot\r\n" + "x".repeat(5000) + "\r\n.\r\nend\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (DiscardSmtpServer sink = new DiscardSmtpServer(chunking);
             SmtpConnection connection = new SmtpConnection(SmtpRelay.parse("smtp://127.0.0.1:" + sink.port()
                     + "?tls=none"))) {
            for (int i = 0; i < 200; i++) {
                SendResult result = connection.send("bounces@example.com", "r" + i + "@example.com", message);
                assertThat(result.sent()).as("message %d: %s", i, result).isTrue();
                assertThat(result.queueId()).isEqualTo("S" + (i + 1));
            }
            assertThat(sink.messages()).isEqualTo(200);
            assertThat(sink.chunkedMessages()).isEqualTo(chunking ? 200 : 0);
            assertThat(connection.sessionsOpened()).isEqualTo(1);
        }
    }
}
