package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.transport.FaultySmtpServer;
import dev.mailer.transport.TestCertificate;
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
        CliRunner cli = shop.cli();
        CliRunner.Result report = cli.run("report", "refused");
        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(report.out().strip().lines().skip(1).filter(l -> !l.isBlank()).findFirst().orElse(""))
                .as("warnings first").startsWith("  ! sender_fault at example.com, 12: 550 5.7.26");
        JsonNode reportJson = JSON.readTree(cli.run("report", "refused", "--json").out());
        assertThat(reportJson.get("warnings").get(0).get("count").asLong()).isEqualTo(12);
        assertThat(reportJson.get("warnings").get(0).get("hint").asText()).contains("DKIM");
        try (FaultySmtpServer fixed = FaultySmtpServer.start()) {
            CliRunner.Result again = shop.send(campaign, fixed.url("connections=2"));

            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(fixed.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
        }
    }

    @Test
    void aRelayWithAnUntrustedCertificateExits4SayingSoAndIsUsedOnceItsCaIsInMailerTlsCa() throws Exception {
        CliRunner cli = new CliRunner();
        ShopFixture shop = ShopFixture.create(dir, cli);
        Path campaign = shop.campaign("own-ca", null);
        List<String> eligible = shop.importContacts(5);
        TestCertificate certificate = TestCertificate.generate(dir, "localhost", "dns:localhost,ip:127.0.0.1");
        try (FaultySmtpServer relay = FaultySmtpServer.start()) {
            relay.startTls(certificate.serverContext());
            String url = "smtp://127.0.0.1:" + relay.port() + "?tls=starttls&connections=2";

            CliRunner.Result untrusted = shop.send(campaign, url);

            assertThat(untrusted.exitCode()).as(untrusted.err()).isEqualTo(4);
            assertThat(untrusted.err()).contains("certification path").doesNotContain("Exception\n\tat");
            assertThat(relay.received()).isEmpty();

            cli.env().put("MAILER_TLS_CA", certificate.writePem(dir.resolve("shop-ca.pem")).toString());
            CliRunner.Result trusted = shop.send(campaign, url);

            assertThat(trusted.exitCode()).as(trusted.err()).isZero();
            assertThat(relay.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(relay.received()).allSatisfy(r -> assertThat(r.overTls()).isTrue());
        }
    }

    @Test
    void aTlsCaFileThatIsNotABundleIsOneSentenceNamingIt() throws Exception {
        CliRunner cli = new CliRunner();
        ShopFixture shop = ShopFixture.create(dir, cli);
        Path campaign = shop.campaign("bad-ca", null);
        shop.importContacts(1);
        Path notPem = java.nio.file.Files.writeString(dir.resolve("not-a-ca.pem"), "hello\n");
        cli.env().put("MAILER_TLS_CA", notPem.toString());

        CliRunner.Result result = shop.send(campaign, "smtp://localhost:1?tls=starttls");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(notPem.toString(), "not a PEM bundle").doesNotContain("\tat ");
    }
}
