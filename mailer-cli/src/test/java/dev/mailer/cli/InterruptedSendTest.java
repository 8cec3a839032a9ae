package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.error.ErrorKind;
import dev.mailer.store.TestPostgres;
import dev.mailer.transport.FaultySmtpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
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
    /** Slow enough that the signal lands mid-campaign, fast enough for a short test. */
    private static final String RATE = "1200/min";

    @TempDir
    Path dir;

    @Test
    void sigtermFinishesWhatIsInFlightExitsWith130AndTheNextRunSendsTheRestOnce() throws Exception {
        CliRunner cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
        Path config = writeConfig();
        Path campaign = Files.writeString(dir.resolve("campaign.yaml"), """
                name: interrupted
                purpose: newsletter
                template: newsletter
                from: "Kawiarnia Nowak <news@kawiarnia.example>"
                rate: %s
                """.formatted(RATE));
        StringBuilder csv = new StringBuilder("email,name,consent_purpose,consent_at,confirmed_at\n");
        for (int i = 0; i < CONTACTS; i++) {
            csv.append("person").append(i).append("@example.com,Person ").append(i)
                    .append(",newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z\n");
        }
        assertThat(cli.run("contacts", "import", Files.writeString(dir.resolve("c.csv"), csv).toString())
                .exitCode()).isZero();

        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            String relay = server.url("connections=4");
            Process child = startChild(cli, campaign, config, relay);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (server.recipients().size() < 20) {
                    if (!child.isAlive() || System.nanoTime() > deadline) {
                        fail("the child sent " + server.recipients().size() + " messages and "
                                + (child.isAlive() ? "is still running" : "ended with " + child.exitValue()) + ":\n"
                                + output(child));
                    }
                    Thread.sleep(10);
                }
                child.destroy(); // SIGTERM
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the child stopped").isTrue();
            } finally {
                child.destroyForcibly();
            }
            String output = output(child);
            assertThat(child.exitValue()).as(output).isEqualTo(130);
            JsonNode report = JSON.readTree(Files.readString(dir.resolve("child.out")));
            int receivedFromChild = server.recipients().size();
            assertThat(receivedFromChild).as("stopped mid-campaign").isLessThan(CONTACTS);
            assertThat(report.get("sent").asLong()).as("the summary counts what the server got")
                    .isEqualTo(receivedFromChild);

            Map<String, Long> statuses = statusCounts(cli.dbUrl());
            assertThat(statuses).as("nothing in doubt or left in flight after a graceful stop")
                    .containsOnlyKeys("sent", "pending")
                    .containsEntry("sent", (long) receivedFromChild);
            assertThat(count(cli.dbUrl(), "select count(*) from delivery where lease_owner is not null"))
                    .as("leases handed back").isZero();

            CliRunner.Result resumed = cli.run("send", campaign.toString(), "--config", config.toString(),
                    "--smtp", relay, "--json");
            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(JSON.readTree(resumed.out()).get("sent").asLong()).isEqualTo(CONTACTS);
            assertThat(server.recipients()).as("everybody once").hasSize(CONTACTS).doesNotHaveDuplicates();
        }
    }

    private Process startChild(CliRunner cli, Path campaign, Path config, String relay) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "send", campaign.toString(), "--config", config.toString(), "--smtp", relay,
                "--json", "--db", cli.dbUrl())
                .redirectOutput(dir.resolve("child.out").toFile())
                .redirectError(dir.resolve("child.err").toFile());
        builder.environment().putAll(cli.env());
        return builder.start();
    }

    private String output(Process child) throws IOException {
        return Files.readString(dir.resolve("child.out")) + Files.readString(dir.resolve("child.err"));
    }

    private Path writeConfig() throws IOException {
        Path templates = Files.createDirectories(dir.resolve("templates/newsletter"));
        Files.writeString(templates.resolve("subject.ftl"), "News for ${contact.name!}");
        Files.writeString(templates.resolve("html.ftlh"), "<p>${contact.name!}</p><a href=\"${unsubscribeUrl}\">x</a>");
        Files.writeString(templates.resolve("text.ftl"), "${contact.name!}\n${unsubscribeUrl}\n");
        return Files.writeString(dir.resolve("mailer.yaml"), """
                templates: %s
                unsubscribe-base-url: https://mail.kawiarnia.example
                sender:
                  organisation: Kawiarnia Nowak sp. z o.o.
                  postal-address: ul. Floriańska 1, 31-019 Kraków
                  dpo-email: iod@kawiarnia.example
                """.formatted(dir.resolve("templates")), StandardCharsets.UTF_8);
    }

    private static Map<String, Long> statusCounts(String dbUrl) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection connection = connect(dbUrl); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select status, count(*) from delivery group by status")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    private static long count(String dbUrl, String sql) throws SQLException {
        try (Connection connection = connect(dbUrl); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection connect(String dbUrl) throws SQLException {
        return DriverManager.getConnection(dbUrl, TestPostgres.server().user(), TestPostgres.server().password());
    }
}
