package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.audience.ExclusionReason;
import dev.mailer.store.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CAMPAIGN = """
            name: test-{yyyy-MM}
            purpose: newsletter
            template: newsletter
            from: "Kawiarnia Nowak <news@kawiarnia.example>"
            max-consent-age: P24M
            """;

    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliRunner();
        Path templates = Files.createDirectories(dir.resolve("templates/newsletter"));
        Files.writeString(templates.resolve("subject.ftl"), "Nowości dla ${contact.name!\"Ciebie\"}");
        Files.writeString(templates.resolve("html.ftlh"), "<p>${contact.name!}</p><p>${sender.organisation}</p>"
                + "<a href=\"${unsubscribeUrl}\">unsubscribe</a>");
        Files.writeString(templates.resolve("text.ftl"), "${contact.name!}\n${unsubscribeUrl}\n");
        file("mailer.yaml", """
                templates: %s
                unsubscribe-base-url: https://mail.kawiarnia.example
                sender:
                  organisation: Kawiarnia Nowak sp. z o.o.
                  postal-address: ul. Floriańska 1, 31-019 Kraków
                  dpo-email: iod@kawiarnia.example
                """.formatted(dir.resolve("templates")));
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
    }

    private String config() {
        return dir.resolve("mailer.yaml").toString();
    }

    private Path file(String name, String content) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, content, StandardCharsets.UTF_8);
        return path;
    }

    private static JsonNode json(CliRunner.Result result) throws IOException {
        return JSON.readTree(result.out());
    }

    @Test
    void helpListsEveryCommandAndEachCommandHasAnExample() {
        CliRunner.Result help = cli.runRaw("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("contacts", "consent", "subject", "suppress", "send", "db", "demo");
        assertThat(help.out()).contains("feedback", "serve", "report", "preview", "bench");
        List<String[]> leaves = new ArrayList<>();
        collectLeaves(MailerCommand.commandLine(new CliContext(System.out, System.err, java.util.Map.of(),
                java.io.InputStream.nullInputStream(), false)), new ArrayList<>(), leaves);
        assertThat(leaves).extracting(c -> String.join(" ", c))
                .contains("feedback parse", "feedback poll", "serve", "consent request", "bench parse", "send");
        for (String[] command : leaves) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            CliRunner.Result result = cli.runRaw(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(String.join(" ", command)).isZero();
            assertThat(result.out()).as(String.join(" ", command)).contains("Example");
        }
    }

    /** Every command that does something (no subcommands of its own), as its words on the command line. */
    private static void collectLeaves(picocli.CommandLine command, List<String> path, List<String[]> leaves) {
        var subcommands = command.getSubcommands();
        if (subcommands.isEmpty()) {
            leaves.add(path.toArray(String[]::new));
            return;
        }
        subcommands.forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                collectLeaves(sub, next, leaves);
            }
        });
    }

    @Test
    void usageErrorsExitWithTwoAndNoStackTrace() {
        CliRunner.Result unknown = cli.runRaw("frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);

        CliRunner.Result missingSub = cli.runRaw("contacts");
        assertThat(missingSub.exitCode()).isEqualTo(2);
        assertThat(missingSub.err()).contains("Missing subcommand");

        CliRunner.Result missingFile = cli.run("contacts", "import", dir.resolve("nope.csv").toString());
        assertThat(missingFile.exitCode()).isEqualTo(2);
        assertThat(missingFile.err()).contains("File not found").doesNotContain("Exception").doesNotContain("\tat ");

        CliRunner.Result badEmail = cli.run("consent", "grant", "not-an-address", "--purpose", "newsletter");
        assertThat(badEmail.exitCode()).isEqualTo(2);
        assertThat(badEmail.err().strip()).isEqualTo("'not-an-address' is not a valid e-mail address.");
    }

    @Test
    void verboseShowsTheStackTrace() {
        CliRunner.Result result = cli.run("contacts", "import", dir.resolve("nope.csv").toString(), "--verbose");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("\tat ");
    }

    @Test
    void badDatabaseUrlIsAConfigurationError() {
        CliRunner.Result result = cli.runRaw("db", "migrate", "--db", "mysql://localhost/x");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("jdbc:postgresql://");
    }

    @Test
    void unreachableDatabaseNamesTheServerButNotThePassword() {
        CliRunner.Result result = cli.runRaw("db", "migrate", "--db",
                "jdbc:postgresql://127.0.0.1:1/mailer?password=hunter2&connectTimeout=2");
        assertThat(result.exitCode()).as("a database that does not answer is a service unreachable (SPEC §8)")
                .isEqualTo(6);
        assertThat(result.err()).contains("Cannot connect to PostgreSQL").doesNotContain("hunter2");
    }

    @Test
    void withJsonAFailureIsAlsoOneJsonObjectNamingItsKind() throws Exception {
        CliRunner.Result result = cli.runRaw("consent", "show", "anna@example.com", "--json", "--db",
                "jdbc:postgresql://127.0.0.1:1/mailer?password=hunter2&connectTimeout=2");
        assertThat(result.exitCode()).isEqualTo(6);
        var error = new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.out()).get("error");
        assertThat(error.get("kind").asText()).isEqualTo("database_unreachable");
        assertThat(error.get("exitCode").asInt()).isEqualTo(6);
        assertThat(error.get("message").asText()).contains("Cannot connect to PostgreSQL");
        assertThat(result.out() + result.err()).doesNotContain("hunter2");
    }

    /** The highest versioned migration this build ships. */
    private static final int LATEST_MIGRATION = 9;

    @Test
    void dbMigratePrintsTheSchemaVersion() {
        CliRunner.Result result = cli.run("db", "migrate");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Schema version " + LATEST_MIGRATION + " ");
    }

    @Test
    void importPrintsCountsAndRejectsAsJson() throws IOException {
        Path csv = file("c.csv", """
                email,name,consent_purpose,confirmed_at
                anna@example.com,Anna,newsletter,2026-01-01T10:00:00Z
                not-an-address,Bad,newsletter,
                """);
        CliRunner.Result result = cli.run("contacts", "import", csv.toString(), "--json");
        assertThat(result.exitCode()).isZero();
        JsonNode json = json(result);
        assertThat(json.get("imported").asLong()).isEqualTo(1);
        assertThat(json.get("updated").asLong()).isZero();
        assertThat(json.get("unchanged").asLong()).isZero();
        assertThat(json.get("rejected").asLong()).isEqualTo(1);
        assertThat(json.get("rejects").get(0).get("line").asLong()).isEqualTo(3);
        assertThat(json.get("rejects").get(0).get("email").asText()).isEqualTo("not-an-address");
        assertThat(json.get("rejects").get(0).get("reason").asText()).isEqualTo("invalid e-mail address");

        CliRunner.Result again = cli.run("contacts", "import", csv.toString());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("0 imported, 0 updated, 1 unchanged, 1 rejected").contains("line 3:");
    }

    @Test
    void strictImportWithABadRowWritesNothingAndExitsTwo() throws IOException {
        Path csv = file("c.csv", "email\nanna@example.com\nbroken\n");
        CliRunner.Result result = cli.run("contacts", "import", csv.toString(), "--strict", "--json");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(json(result).get("aborted").asBoolean()).isTrue();
        assertThat(cli.run("consent", "show", "anna@example.com").out()).contains("No contact");
    }

    @Test
    void dryRunPrintsTheSpecJsonWithEveryReasonCode() throws IOException {
        cli.run("contacts", "import", file("c.csv", """
                email,consent_purpose,consent_at,confirmed_at
                anna@example.com,newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z
                bob@example.com,newsletter,2026-01-01T10:00:00Z,
                carl@example.com,,,
                """).toString());
        CliRunner.Result result = cli.run("send", file("campaign.yaml", CAMPAIGN).toString(), "--dry-run", "--json",
                "--config", config());
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode json = json(result);
        assertThat(json.get("campaign").asText()).startsWith("test-2");
        assertThat(json.get("dryRun").asBoolean()).isTrue();
        assertThat(json.get("considered").asLong()).isEqualTo(3);
        assertThat(json.get("eligible").asLong()).isEqualTo(1);
        List<String> keys = new ArrayList<>();
        json.get("excluded").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly(java.util.Arrays.stream(ExclusionReason.values())
                .map(ExclusionReason::code).toArray(String[]::new));
        assertThat(json.get("excluded").get("unconfirmed").asLong()).isEqualTo(1);
        assertThat(json.get("excluded").get("no_consent").asLong()).isEqualTo(1);
        for (String key : List.of("sent", "failed", "deferred", "unknown")) {
            assertThat(json.get(key).asLong()).as(key).isZero();
        }
        assertThat(json.get("errors").isArray()).isTrue();
        assertThat(json.get("errors")).isEmpty();
        assertThat(json.get("rendered").asLong()).isEqualTo(1);

        CliRunner.Result text = cli.run("send", dir.resolve("campaign.yaml").toString(), "--dry-run", "--config", config());
        assertThat(text.out()).contains("dry run", "eligible", "no_consent", "1 messages rendered");
    }

    @Test
    void templateProblemsAreCampaignErrorsInTheDryRunJson() throws IOException {
        cli.run("contacts", "import", file("c.csv", """
                email,name,consent_purpose,consent_at,confirmed_at
                anna@example.com,Anna,newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z
                bob@example.com,,newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z
                """).toString());
        Path campaign = file("campaign.yaml", CAMPAIGN);
        Path html = dir.resolve("templates/newsletter/html.ftlh");

        Files.writeString(html, "<p>${contact.name}</p><a href=\"${unsubscribeUrl}\">x</a>");
        CliRunner.Result missing = cli.run("send", campaign.toString(), "--dry-run", "--json", "--config", config());
        assertThat(missing.exitCode()).isEqualTo(2);
        JsonNode error = json(missing).get("errors").get(0);
        assertThat(error.get("code").asText()).isEqualTo("template_render");
        assertThat(error.get("message").asText()).contains("newsletter/html.ftlh line 1: contact.name is missing")
                .endsWith("(1 recipient)");
        assertThat(json(missing).get("eligible").asLong()).isEqualTo(2);

        Files.writeString(html, "<p>\n<#if contact.name??>${contact.name}</p>");
        CliRunner.Result syntax = cli.run("send", campaign.toString(), "--dry-run", "--json", "--config", config());
        assertThat(syntax.exitCode()).isEqualTo(2);
        JsonNode syntaxError = json(syntax).get("errors").get(0);
        assertThat(syntaxError.get("code").asText()).isEqualTo("template_syntax");
        assertThat(syntaxError.get("message").asText()).contains("newsletter/html.ftlh line ");

        Files.writeString(html, "<p>no way out</p>");
        CliRunner.Result noLink = cli.run("send", campaign.toString(), "--dry-run", "--json", "--config", config());
        assertThat(noLink.exitCode()).isEqualTo(2);
        assertThat(json(noLink).get("errors").get(0).get("code").asText()).isEqualTo("template_unsubscribe");

        CliRunner.Result noSender = cli.run("send", campaign.toString(), "--dry-run", "--json",
                "--templates", dir.resolve("templates").toString());
        assertThat(json(noSender).get("errors").get(0).get("code").asText()).isEqualTo("sender_missing");
    }

    @Test
    void previewWritesTheExactMessageAndTheHtml() throws IOException {
        cli.run("contacts", "import", file("c.csv", """
                email,name,consent_purpose,consent_at,confirmed_at
                anna@example.com,Anna Łęcka,newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z
                """).toString());
        Path campaign = file("campaign.yaml", CAMPAIGN);
        Path eml = dir.resolve("anna.eml");
        CliRunner.Result result = cli.run("preview", campaign.toString(), "--to", "ANNA@example.com", "--out",
                eml.toString(), "--config", config());
        assertThat(result.exitCode()).as(result.err()).isZero();
        String message = Files.readString(eml, StandardCharsets.ISO_8859_1);
        assertThat(message).contains("List-Unsubscribe: <https://mail.kawiarnia.example/u/")
                .contains("Content-Type: multipart/alternative").contains("To: =?UTF-8?");
        assertThat(result.err()).contains("envelope sender bounces+");

        CliRunner.Result html = cli.run("preview", campaign.toString(), "--to", "anna@example.com", "--html",
                "--config", config());
        assertThat(html.out()).startsWith("<p>Anna Łęcka</p><p>Kawiarnia Nowak sp. z o.o.</p>");

        CliRunner.Result unknown = cli.run("preview", campaign.toString(), "--to", "nobody@example.com",
                "--config", config());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("No contact");
    }

    @Test
    void campaignFileErrorsNameTheLineAndExitTwo() throws IOException {
        Path bad = file("bad.yaml", CAMPAIGN + "audence:\n  tags: [x]\n");
        CliRunner.Result text = cli.run("send", bad.toString(), "--dry-run");
        assertThat(text.exitCode()).isEqualTo(2);
        assertThat(text.err()).contains("bad.yaml line 6").contains("audence");

        CliRunner.Result json = cli.run("send", bad.toString(), "--dry-run", "--json");
        assertThat(json.exitCode()).isEqualTo(2);
        JsonNode errors = json(json).get("errors");
        assertThat(errors.get(0).get("code").asText()).isEqualTo("campaign_file");
        assertThat(errors.get(0).get("message").asText()).contains("line 6");
    }

    @Test
    void sendingNeedsARelayAndThenSendsEveryEligibleMessageOnce() throws IOException {
        cli.run("contacts", "import", file("c.csv", """
                email,name,consent_purpose,consent_at,confirmed_at
                anna@example.com,Anna,newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z
                bob@example.com,Bob,newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z
                carl@example.com,Carl,,,
                """).toString());
        Path campaign = file("campaign.yaml", CAMPAIGN);
        CliRunner.Result noRelay = cli.run("send", campaign.toString(), "--config", config());
        assertThat(noRelay.exitCode()).isEqualTo(2);
        assertThat(noRelay.err()).contains("No SMTP relay is configured");

        GreenMail mailServer = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mailServer.start();
        try {
            String relay = "smtp://127.0.0.1:" + mailServer.getSmtp().getPort() + "?tls=none&connections=2";
            CliRunner.Result sent = cli.run("send", campaign.toString(), "--config", config(), "--smtp", relay, "--json");
            assertThat(sent.exitCode()).as(sent.err()).isZero();
            JsonNode report = json(sent);
            assertThat(report.get("dryRun").asBoolean()).isFalse();
            assertThat(report.get("sent").asLong()).isEqualTo(2);
            assertThat(report.has("elapsedSeconds")).isTrue();
            assertThat(mailServer.getReceivedMessages()).hasSize(2);

            CliRunner.Result again = cli.run("send", campaign.toString(), "--config", config(), "--smtp", relay, "--json");
            assertThat(json(again).get("sent").asLong()).isEqualTo(2);
            assertThat(mailServer.getReceivedMessages()).as("nobody mailed twice").hasSize(2);

            String name = report.get("campaign").asText();
            JsonNode figures = json(cli.run("report", name, "--json"));
            assertThat(figures.get("sent").asLong()).isEqualTo(2);
            assertThat(figures.get("bounced").get("hard").asLong()).isZero();
            assertThat(figures.get("unsubscribed").asLong()).isZero();
            assertThat(figures.get("excluded").get("no_consent").asLong()).isEqualTo(1);

            CliRunner.Result csv = cli.run("report", name, "--csv");
            assertThat(csv.exitCode()).as(csv.err()).isZero();
            List<String> lines = csv.out().lines().toList();
            assertThat(lines.get(0)).startsWith("email,status,attempts,smtp_code");
            assertThat(lines).hasSize(3);
            assertThat(lines.subList(1, 3)).allSatisfy(line -> assertThat(line).contains(",sent,1,250,"));
            assertThat(lines.subList(1, 3)).anySatisfy(line -> assertThat(line).startsWith("anna@example.com,"));
        } finally {
            mailServer.stop();
        }
    }

    @Test
    void consentGrantWithdrawAndShow() throws IOException {
        assertThat(cli.run("consent", "grant", "Anna@Example.com", "--purpose", "newsletter", "--source", "paper form",
                "--ip", "192.0.2.7", "--confirmed").exitCode()).isZero();
        assertThat(cli.run("consent", "withdraw", "anna@example.com", "--purpose", "newsletter").exitCode()).isZero();
        assertThat(cli.run("consent", "withdraw", "anna@example.com", "--all", "--source", "phone").exitCode()).isZero();
        CliRunner.Result show = cli.run("consent", "show", "anna@example.com", "--json");
        JsonNode records = json(show).get("records");
        assertThat(records).hasSize(3);
        assertThat(records.get(0).get("status").asText()).isEqualTo("granted");
        assertThat(records.get(0).get("source").asText()).isEqualTo("paper form");
        assertThat(records.get(0).get("ip").asText()).isEqualTo("192.0.2.7");
        assertThat(records.get(0).get("confirmedAt").isNull()).isFalse();
        assertThat(records.get(0).get("recordedVia").asText()).startsWith("cli ");
        assertThat(records.get(2).get("purpose").asText()).isEqualTo("*");

        CliRunner.Result neither = cli.run("consent", "withdraw", "anna@example.com");
        assertThat(neither.exitCode()).isEqualTo(2);
    }

    @Test
    void suppressAddListRemove() throws IOException {
        assertThat(cli.run("suppress", "add", "jan@example.pl").out()).contains("Suppressed");
        assertThat(cli.run("suppress", "add", "JAN@example.pl").out()).contains("already suppressed");
        JsonNode list = json(cli.run("suppress", "list", "--json"));
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("email_norm").asText()).isEqualTo("jan@example.pl");
        assertThat(list.get(0).get("reason").asText()).isEqualTo("manual");
        assertThat(cli.run("suppress", "remove", "jan@example.pl").out()).contains("Lifted");
        assertThat(json(cli.run("suppress", "list", "--json"))).isEmpty();
        assertThat(cli.run("suppress", "add", "jan@example.pl", "--reason", "erased").exitCode()).isEqualTo(2);
    }

    @Test
    void eraseNeedsYesWithoutATerminalAndLeavesAnEmptyExport() throws IOException {
        cli.run("consent", "grant", "anna@example.com", "--purpose", "newsletter");
        CliRunner.Result refused = cli.run("subject", "erase", "anna@example.com");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("--yes");

        assertThat(cli.run("subject", "export", "anna@example.com").out()).contains("newsletter");
        CliRunner.Result erased = cli.run("subject", "erase", "anna@example.com", "--yes");
        assertThat(erased.exitCode()).isZero();
        JsonNode export = json(cli.run("subject", "export", "anna@example.com"));
        assertThat(export.get("contact").isNull()).isTrue();
        assertThat(export.get("consents")).isEmpty();
        assertThat(export.get("erased").asBoolean()).isTrue();

        CliRunner.Result reimport = cli.run("contacts", "import", file("c.csv", "email\nANNA@example.com\n").toString(),
                "--json");
        assertThat(json(reimport).get("rejects").get(0).get("reason").asText()).isEqualTo("erased");
    }

    @Test
    void aSecondProcessOnTheEmbeddedDatabaseSharesTheRunningServer(@TempDir Path home) {
        try (EmbeddedPostgres running = EmbeddedPostgres.start(home, EmbeddedPostgres.Options.defaults(), "serve")) {
            cli.env().put("MAILER_HOME", home.toString());
            CliRunner.Result migrate = cli.runRaw("db", "migrate");
            assertThat(migrate.exitCode()).as(migrate.err()).isZero();
            CliRunner.Result status = cli.runRaw("db", "status");
            assertThat(status.exitCode()).isZero();
            assertThat(status.out()).contains("running on 127.0.0.1:" + running.port(), "used by serve",
                    home.resolve("postgres").toAbsolutePath().toString()).doesNotContain(running.password());
            assertThat(cli.runRaw("db", "status", "--help").out()).contains("Example");
        }
        CliRunner.Result stopped = cli.runRaw("db", "status");
        assertThat(stopped.out()).contains("not running");
    }

    @Test
    void theEmbeddedDatabaseStartsWhenNoUrlIsGiven(@TempDir Path home) {
        cli.env().put("MAILER_HOME", home.toString());
        CliRunner.Result first = cli.runRaw("consent", "grant", "anna@example.com", "--purpose", "newsletter");
        assertThat(first.exitCode()).as(first.err()).isZero();
        CliRunner.Result second = cli.runRaw("consent", "show", "anna@example.com");
        assertThat(second.out()).contains("granted").contains("newsletter");
    }
}
