package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.transport.FaultySmtpServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailer send} against a relay that refuses the sender (SPEC §6a, §8): exit 5, rows held, sent next time. */
class SenderRefusedCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aRelayRefusingTheSenderExits5WithItsWordsAndTheNextRunSendsTheHeldRows() throws Exception {
        ShopFixture shop = ShopFixture.create(dir, new CliRunner());
        Path campaign = shop.campaign("refused", null);
        List<String> eligible = shop.importContacts(12);
        try (FaultySmtpServer refusing = FaultySmtpServer.start()) {
            eligible.forEach(email -> refusing.dataReply(email, "550 5.7.26 This mail has been blocked because the"
                    + " sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM."));

            CliRunner.Result refused = shop.send(campaign, refusing.url("connections=2"));

            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(5);
            assertThat(refused.err()).contains("refuses the sender", "5.7.26", "DKIM", "held");
            JsonNode report = JSON.readTree(refused.out());
            assertThat(report.get("held").asLong()).isEqualTo(12);
            assertThat(report.get("failed").asLong()).isZero();
            assertThat(report.get("warnings").get(0).get("code").asText()).isEqualTo("sender_fault");
        }
        assertThat(shop.count("select count(*) from suppression")).isZero();
        try (FaultySmtpServer fixed = FaultySmtpServer.start()) {
            CliRunner.Result again = shop.send(campaign, fixed.url("connections=2"));

            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(fixed.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
        }
    }
}
