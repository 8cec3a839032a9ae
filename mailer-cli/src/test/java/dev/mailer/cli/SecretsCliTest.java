package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.transport.FaultySmtpServer;
import java.nio.file.Files;
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

    @Test
    void withThePasswordInTheEnvironmentNoCommandLineOfTheSendShowsIt() throws Exception {
        ShopFixture shop = ShopFixture.create(dir, new CliRunner());
        Path campaign = shop.campaign("environment", "600/min");
        shop.importContacts(20);
        try (FaultySmtpServer relay = FaultySmtpServer.start()) {
            relay.requireAuth("news", PASSWORD);
            Map<String, String> env = new java.util.HashMap<>(shop.cli().env());
            env.put("MAILER_SMTP_PASSWORD", PASSWORD);
            try (MailerProcess send = MailerProcess.start(dir, "send", env, "send", campaign.toString(), "--config",
                    shop.config().toString(), "--smtp", "smtp://news@127.0.0.1:" + relay.port() + "?tls=none",
                    "--json", "--db", shop.cli().dbUrl())) {
                Path cmdline = Path.of("/proc", Long.toString(send.pid()), "cmdline");
                String seen = "";
                while (send.isAlive() && relay.received().isEmpty()) {
                    seen = Files.isReadable(cmdline) ? Files.readString(cmdline).replace('\0', ' ') : seen;
                    Thread.sleep(20);
                }
                assertThat(send.waitFor(Duration.ofSeconds(90))).as(send.output()).isZero();
                assertThat(seen).as("what ps shows while it sends").contains("smtp://news@127.0.0.1");
                assertNoPassword(seen, PASSWORD, "Zq7Hw", "Vx9Kp");
                assertNoPassword(send.output(), PASSWORD, "Zq7Hw", "Vx9Kp");
                assertThat(send.err()).doesNotContain("warning");
            }
            assertThat(relay.received()).hasSize(20).allSatisfy(r -> assertThat(r.authenticated()).isEqualTo("news"));
        }
    }

    @Test
    void passwordFilesGivenByFlagEnvironmentOrMailerYamlLoseTheirLineEndAndAnUnreadableOneIsExitTwo() throws Exception {
        ShopFixture shop = ShopFixture.create(dir, new CliRunner());
        shop.importContacts(2);
        Path file = Files.writeString(dir.resolve("smtp.pw"), PASSWORD + "\n");
        Files.writeString(shop.config(), "smtp-password-file: " + file + "\n", java.nio.file.StandardOpenOption.APPEND);
        try (FaultySmtpServer relay = FaultySmtpServer.start()) {
            relay.requireAuth("news", PASSWORD);
            String url = "smtp://news@127.0.0.1:" + relay.port() + "?tls=none";

            CliRunner.Result fromYaml = shop.send(shop.campaign("yaml", null), url);
            assertThat(fromYaml.exitCode()).as(fromYaml.err()).isZero();
            assertThat(relay.received()).hasSize(2).allSatisfy(r -> assertThat(r.authenticated()).isEqualTo("news"));

            Path missing = dir.resolve("no-such.pw");
            CliRunner.Result unreadable = shop.cli().run("send", shop.campaign("flag", null).toString(), "--config",
                    shop.config().toString(), "--smtp", url, "--smtp-password-file", missing.toString());
            assertThat(unreadable.exitCode()).isEqualTo(2);
            assertThat(unreadable.err().strip()).isEqualTo("The SMTP password file " + missing
                    + " (--smtp-password-file) does not exist.");

            shop.cli().env().put("MAILER_SMTP_PASSWORD_FILE", file.toString());
            CliRunner.Result fromEnvironment = shop.send(shop.campaign("flag", null), url);
            assertThat(fromEnvironment.exitCode()).as(fromEnvironment.err()).isZero();
            assertThat(relay.received()).hasSize(4);
            assertNoPassword(fromYaml, PASSWORD);
            assertNoPassword(fromEnvironment, PASSWORD);
        }
    }

    @Test
    void theDatabasePasswordComesFromAFileToo() throws Exception {
        CliRunner cli = new CliRunner();
        String password = cli.env().remove("MAILER_DB_PASSWORD");
        Path file = Files.writeString(dir.resolve("db.pw"), password + "\n");

        CliRunner.Result withFlag = cli.run("db", "migrate", "--db-password-file", file.toString());
        assertThat(withFlag.exitCode()).as(withFlag.err()).isZero();

        cli.env().put("MAILER_DB_PASSWORD_FILE", file.toString());
        assertThat(cli.run("db", "migrate").exitCode()).isZero();

        cli.env().put("MAILER_DB_PASSWORD", password);
        CliRunner.Result both = cli.run("db", "migrate");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err().strip()).isEqualTo("Both MAILER_DB_PASSWORD and MAILER_DB_PASSWORD_FILE are set; give the"
                + " database password one way only.");
    }

    @Test
    void theMailboxPasswordComesFromTheEnvironmentAndAPasswordOnTheCommandLineIsWarnedAbout() throws Exception {
        CliRunner cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
        com.icegreen.greenmail.util.GreenMail mail = new com.icegreen.greenmail.util.GreenMail(
                com.icegreen.greenmail.util.ServerSetupTest.IMAP.dynamicPort());
        mail.start();
        try {
            mail.setUser("bounces@example.com", "bounces@example.com", PASSWORD);
            String box = "bounces%40example.com@127.0.0.1:" + mail.getImap().getPort() + "/INBOX?tls=none";
            cli.env().put("MAILER_MAILBOX_PASSWORD", PASSWORD);
            CliRunner.Result apart = cli.run("feedback", "poll", "--mailbox", "imap://" + box, "--json");
            assertThat(apart.exitCode()).as(apart.err()).isZero();
            assertThat(apart.err()).doesNotContain("warning");

            cli.env().remove("MAILER_MAILBOX_PASSWORD");
            CliRunner.Result inline = cli.run("feedback", "poll", "--mailbox",
                    "imap://bounces%40example.com:" + PASSWORD.replace(",", "%2C") + "@127.0.0.1:"
                            + mail.getImap().getPort() + "/INBOX?tls=none", "--json");
            assertThat(inline.exitCode()).as(inline.err()).isZero();
            assertThat(inline.err()).contains("mailer: warning: the password in --mailbox can be read by anyone on this"
                    + " machine while mailer runs (ps, /proc); give it with MAILER_MAILBOX_PASSWORD or"
                    + " mailbox-password-file in mailer.yaml instead.");
            assertNoPassword(apart, PASSWORD, "Zq7Hw", "Vx9Kp");
            assertNoPassword(inline, PASSWORD, "Zq7Hw", "Vx9Kp");
        } finally {
            mail.stop();
        }
    }
}
