package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.transport.FaultySmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13.4: no password is ever printed, whatever a driver or library puts in its messages. */
class SecretsCliTest {
    /** Distinctive halves, so that a password cut in two is caught too. */
    private static final String PASSWORD = "Zq7Hw,Vx9Kp";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static void assertNoPassword(String output, String... secrets) {
        for (String secret : secrets) {
            assertThat(output).as(output).doesNotContain(secret);
        }
    }

    private static void assertNoPassword(CliRunner.Result result, String... secrets) {
        assertNoPassword(result.out() + result.err(), secrets);
    }

    @Test
    void aPasswordInTheDatabaseUrlIsNotShownByTheDriversMessageNorTheStackTraceNorJson() throws Exception {
        CliRunner cli = new CliRunner();
        // the driver does not read user:password@ and used to name "u:PASSWORD@nohost.invalid" as the host
        String url = "jdbc:postgresql://u:" + PASSWORD + "@nohost.invalid:1/db";
        CliRunner.Result migrate = cli.runRaw("db", "migrate", "--db", url);
        assertThat(migrate.exitCode()).as(migrate.err()).isEqualTo(6);
        assertThat(migrate.err()).contains("Cannot connect to PostgreSQL at jdbc:postgresql://nohost.invalid:1/db");
        assertNoPassword(migrate, PASSWORD, "Zq7Hw", "Vx9Kp");

        CliRunner.Result verbose = cli.runRaw("consent", "show", "anna@example.com", "--json", "--verbose", "--db", url);
        assertThat(verbose.exitCode()).isEqualTo(6);
        assertThat(verbose.err()).as("the stack trace is shown, masked").contains("\tat ");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(verbose.out()).get("error").get("kind")
                .asText()).isEqualTo("database_unreachable");
        assertNoPassword(verbose, PASSWORD, "Zq7Hw", "Vx9Kp");
    }

    @Test
    void aChildProcessShowsNoPasswordInItsLogLinesAndStackTraces() throws Exception {
        String url = "jdbc:postgresql://u:" + PASSWORD + "@nohost.invalid:1/db";
        try (MailerProcess child = MailerProcess.start(dir, "migrate", Map.of("MAILER_HOME", dir.resolve("home").toString()),
                "db", "migrate", "--verbose", "--db", url)) {
            assertThat(child.waitFor(Duration.ofSeconds(60))).as(child.output()).isEqualTo(6);
            assertThat(child.err()).as("HikariCP's log lines, shown with --verbose").contains("mailer-db");
            assertNoPassword(child.output(), PASSWORD, "Zq7Hw", "Vx9Kp");
        }
    }

    @Test
    void outputIsMaskedLineByLineEvenWhenAPasswordIsWrittenInPieces() {
        dev.mailer.error.SecretMask mask = new dev.mailer.error.SecretMask();
        mask.add(PASSWORD);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = ScrubbedOutput.printStream(bytes, mask);
        out.print("login Zq7H");
        out.print("w,Vx9Kp refused");
        out.printf(" by %s%n", "smtp://news:unregistered@relay.example");
        out.print("\r  12 messages rendered");
        out.flush();
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("login *** refused by smtp://news:***@relay.example\n\r  12 messages rendered");
    }

    @Test
    void aCommaInAPasswordOfMailerSmtpUrlNeitherSplitsTheListNorShowsHalfOfIt() throws Exception {
        ShopFixture shop = ShopFixture.create(dir, new CliRunner());
        Path campaign = shop.campaign("comma", null);
        shop.importContacts(3);
        try (FaultySmtpServer first = FaultySmtpServer.start(); FaultySmtpServer second = FaultySmtpServer.start()) {
            first.requireAuth("news", PASSWORD);
            second.requireAuth("news", "Tt5Rr,Ee3Ww");
            // the second relay's comma written %2C; the list split only before a new smtp://
            shop.cli().env().put("MAILER_SMTP_URL", "smtp://news:" + PASSWORD + "@127.0.0.1:" + first.port()
                    + "?tls=none&connections=1, smtp://news:Tt5Rr%2CEe3Ww@127.0.0.1:" + second.port() + "?tls=none");
            CliRunner.Result sent = shop.cli().run("send", campaign.toString(), "--config", shop.config().toString(),
                    "--json", "--verbose");

            assertThat(sent.exitCode()).as(sent.err()).isZero();
            assertThat(JSON.readTree(sent.out()).get("sent").asLong()).isEqualTo(3);
            assertThat(first.received()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.authenticated()).as("logged in").isEqualTo("news"));
            assertThat(first.authFailures() + second.authFailures()).isZero();
            assertNoPassword(sent, PASSWORD, "Zq7Hw", "Vx9Kp", "Tt5Rr", "Ee3Ww");

            shop.cli().env().put("MAILER_SMTP_URL", "smtp://news:Tt5Rr%2CEe3Ww@127.0.0.1:" + second.port() + "?tls=none");
            CliRunner.Result encoded = shop.cli().run("send", shop.campaign("encoded", null).toString(), "--config",
                    shop.config().toString(), "--json");
            assertThat(encoded.exitCode()).as(encoded.err()).isZero();
            assertThat(second.received()).hasSizeGreaterThanOrEqualTo(3)
                    .allSatisfy(r -> assertThat(r.authenticated()).isEqualTo("news"));
            assertNoPassword(encoded, "Tt5Rr", "Ee3Ww");
        }
    }

    @Test
    void aRelayQuotingThePasswordInItsReplyIsMaskedInTheSentenceAndTheJsonWarnings() throws Exception {
        ShopFixture shop = ShopFixture.create(dir, new CliRunner());
        Path campaign = shop.campaign("quoted", null);
        List<String> people = shop.importContacts(3);
        try (FaultySmtpServer relay = FaultySmtpServer.start()) {
            relay.requireAuth("news", PASSWORD);
            people.forEach(p -> relay.rcptReply(p, "554 Message rejected: Email address is not verified. The"
                    + " following identities failed the check: news:" + PASSWORD));
            shop.cli().env().put("MAILER_SMTP_URL", "smtp://news:" + PASSWORD + "@127.0.0.1:" + relay.port() + "?tls=none");
            CliRunner.Result held = shop.cli().run("send", campaign.toString(), "--config", shop.config().toString(),
                    "--json");

            assertThat(held.exitCode()).as(held.err()).isEqualTo(5);
            assertThat(held.err()).contains("Email address is not verified", "news:***");
            assertThat(JSON.readTree(held.out()).get("warnings").get(0).get("reply").asText()).contains("news:***");
            assertNoPassword(held, PASSWORD, "Zq7Hw", "Vx9Kp");
        }
    }
}
