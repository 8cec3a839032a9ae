package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13.4: no password is ever printed, whatever a driver or library puts in its messages. */
class SecretsCliTest {
    /** Distinctive halves, so that a password cut in two is caught too. */
    private static final String PASSWORD = "Zq7Hw,Vx9Kp";

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
}
