package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.store.TestDatabase;
import dev.mailer.store.TestPostgres;
import dev.mailer.store.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailer db backup} and {@code mailer db restore} as commands: on your own PostgreSQL
 * (--db, a database of the shared test server) and on the embedded default of a home.
 */
class DbBackupRestoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aShopThatSentIsBackedUpChangedAndRestored() throws Exception {
        CliRunner cli = new CliRunner();
        ShopFixture shop = ShopFixture.create(dir, cli);
        shop.importContacts(12);
        Path campaign = shop.campaign("newsletter-2026-12", null);
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try {
            String relay = "smtp://127.0.0.1:" + smtp.getSmtp().getPort() + "?tls=none&connections=2";
            CliRunner.Result sent = shop.send(campaign, relay);
            assertThat(sent.exitCode()).as(sent.err()).isZero();
            assertThat(JSON.readTree(sent.out()).get("sent").asLong()).isEqualTo(12);
            assertThat(cli.run("consent", "withdraw", "person3@example.com", "--purpose", "newsletter").exitCode())
                    .isZero();
            assertThat(cli.run("suppress", "add", "person4@example.com").exitCode()).isZero();
            Map<String, String> before = data(cli);
            Path file = dir.resolve("shop.mailer-backup.gz");

            CliRunner.Result backup = cli.run("db", "backup", file.toString(), "--json");

            assertThat(backup.exitCode()).as(backup.err()).isZero();
            assertThat(backup.err()).as("no progress without a terminal").isEmpty();
            JsonNode summary = JSON.readTree(backup.out());
            assertThat(summary.get("file").asText()).isEqualTo(file.toAbsolutePath().toString());
            assertThat(summary.get("bytes").asLong()).isEqualTo(Files.size(file));
            assertThat(summary.get("tables").get("delivery").asLong()).isEqualTo(12);
            assertThat(summary.get("tables").get("contact").asLong()).isEqualTo(12);
            assertThat(summary.get("rows").asLong()).isPositive();
            assertThat(summary.has("schemaVersion") && summary.has("createdAt") && summary.has("seconds")).isTrue();
            assertThat(backup.out()).doesNotContain(cli.env().get("MAILER_DB_PASSWORD"));
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

            // then the data changes: a person erased, new contacts, a new suppression
            assertThat(cli.run("subject", "erase", "person0@example.com", "--yes").exitCode()).isZero();
            Path more = Files.writeString(dir.resolve("more.csv"), "email\nlate1@example.com\nlate2@example.com\n");
            assertThat(cli.run("contacts", "import", more.toString()).exitCode()).isZero();
            assertThat(cli.run("suppress", "add", "person5@example.com").exitCode()).isZero();
            Map<String, String> changed = data(cli);
            assertThat(changed).isNotEqualTo(before);

            CliRunner.Result refused = cli.run("db", "restore", file.toString());
            assertThat(refused.exitCode()).isEqualTo(2);
            assertThat(refused.err().strip()).startsWith("The database already holds data (in ")
                    .endsWith("give --force to replace it with the backup.").doesNotContain("\n");
            assertThat(data(cli)).isEqualTo(changed);

            CliRunner.Result restored = cli.run("db", "restore", file.toString(), "--force", "--json");

            assertThat(restored.exitCode()).as(restored.err()).isZero();
            JsonNode result = JSON.readTree(restored.out());
            assertThat(result.get("replaced").asBoolean()).isTrue();
            assertThat(result.get("migratedTo").isNull()).isTrue();
            assertThat(result.get("tables")).isEqualTo(summary.get("tables"));
            assertThat(result.get("rows").asLong()).isEqualTo(summary.get("rows").asLong());
            assertThat(result.get("createdAt").asText()).isEqualTo(summary.get("createdAt").asText());
            assertThat(data(cli)).isEqualTo(before);

            // the restored deliveries keep anyone from being mailed twice; new rows get new ids
            CliRunner.Result again = shop.send(campaign, relay);
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(JSON.readTree(again.out()).get("sent").asLong()).as("the campaign's, as restored").isEqualTo(12);
            assertThat(smtp.getReceivedMessages()).as("nobody mailed twice").hasSize(12);
            CliRunner.Result imported = cli.run("contacts", "import", more.toString(), "--json");
            assertThat(JSON.readTree(imported.out()).get("imported").asLong()).isEqualTo(2);
            assertThat(cli.run("consent", "grant", "late1@example.com", "--purpose", "newsletter").exitCode()).isZero();

            CliRunner.Result text = cli.run("db", "restore", file.toString(), "--force");
            assertThat(text.exitCode()).as(text.err()).isZero();
            assertThat(text.out()).startsWith("Restored ").contains(file.toAbsolutePath().toString(),
                    "The data the database held before was replaced (--force).");
        } finally {
            smtp.stop();
        }
    }

    @Test
    void aFileThatIsNoGoodBackupExitsWithTwoInOneSentenceAndTouchesNothing() throws IOException {
        CliRunner cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
        assertThat(cli.run("consent", "grant", "anna@example.com", "--purpose", "newsletter").exitCode()).isZero();
        Path good = dir.resolve("good.mailer-backup.gz");
        assertThat(cli.run("db", "backup", good.toString()).exitCode()).isZero();
        assertThat(cli.run("consent", "grant", "bob@example.com", "--purpose", "newsletter").exitCode()).isZero();
        Map<String, String> before = data(cli);
        byte[] bytes = Files.readAllBytes(good);
        byte[] corrupt = bytes.clone();
        for (int i = bytes.length / 2; i < bytes.length / 2 + 16; i++) {
            corrupt[i] ^= 0x33;
        }
        Map<Path, String> bad = Map.of(
                Files.write(dir.resolve("cut.mailer-backup.gz"), Arrays.copyOf(bytes, bytes.length * 2 / 3)),
                "is incomplete",
                Files.write(dir.resolve("corrupt.mailer-backup.gz"), corrupt), "is damaged",
                Files.writeString(dir.resolve("contacts.csv"), "email\nanna@example.com\n"), "is not a mailer backup",
                dir.resolve("missing.mailer-backup.gz"), "There is no backup file");

        for (var entry : bad.entrySet()) {
            CliRunner.Result result = cli.run("db", "restore", entry.getKey().toString(), "--force");
            assertThat(result.exitCode()).as(entry.getKey().toString()).isEqualTo(2);
            assertThat(result.err().strip()).as(entry.getKey().toString()).contains(entry.getValue())
                    .contains(entry.getKey().toString()).doesNotContain("\n").doesNotContain("Exception");
        }
        assertThat(data(cli)).isEqualTo(before);

        CliRunner.Result json = cli.run("db", "restore", dir.resolve("contacts.csv").toString(), "--json");
        assertThat(json.exitCode()).isEqualTo(2);
        assertThat(JSON.readTree(json.out()).get("error").get("kind").asText()).isEqualTo("input_file");
        CliRunner.Result verbose = cli.run("db", "restore", dir.resolve("cut.mailer-backup.gz").toString(), "--verbose");
        assertThat(verbose.err()).contains("is incomplete", "\tat ");
        CliRunner.Result noDirectory = cli.run("db", "backup", dir.resolve("nope/b.mailer-backup.gz").toString());
        assertThat(noDirectory.exitCode()).isEqualTo(2);
        assertThat(noDirectory.err()).contains("does not exist");
    }

    @Test
    void onTheEmbeddedDefaultARestoreWaitsUntilNoOtherProcessUsesTheServer(@TempDir Path home) throws IOException {
        CliRunner cli = new CliRunner();
        cli.env().put("MAILER_HOME", home.toString());
        assertThat(cli.runRaw("consent", "grant", "anna@example.com", "--purpose", "newsletter").exitCode()).isZero();
        Path file = dir.resolve("embedded.mailer-backup.gz");
        long pid = ProcessHandle.current().pid();

        try (EmbeddedPostgres serve = EmbeddedPostgres.start(home, EmbeddedPostgres.Options.defaults(), "serve")) {
            CliRunner.Result backup = cli.runRaw("db", "backup", file.toString());
            assertThat(backup.exitCode()).as("a backup beside serve: " + backup.err()).isZero();
            assertThat(backup.out()).startsWith("Backed up ").contains(file.toAbsolutePath().toString())
                    .doesNotContain(serve.password());
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(cli.runRaw("consent", "withdraw", "anna@example.com", "--all").exitCode()).isZero();

            CliRunner.Result busy = cli.runRaw("db", "restore", file.toString(), "--force");

            assertThat(busy.exitCode()).isEqualTo(3);
            assertThat(busy.err().strip()).isEqualTo("serve (pid " + pid + ") uses the embedded database in "
                    + home.toAbsolutePath() + ": stop it first, since a restore replaces the data it works on.");
            CliRunner.Result busyJson = cli.runRaw("db", "restore", file.toString(), "--force", "--json");
            assertThat(JSON.readTree(busyJson.out()).get("error").get("kind").asText()).isEqualTo("busy");
            assertThat(cli.runRaw("consent", "show", "anna@example.com").out()).contains("withdrawn");
        }

        CliRunner.Result restored = cli.runRaw("db", "restore", file.toString(), "--force");

        assertThat(restored.exitCode()).as(restored.err()).isZero();
        assertThat(restored.out()).startsWith("Restored ");
        assertThat(cli.runRaw("consent", "show", "anna@example.com").out()).contains("granted")
                .doesNotContain("withdrawn");
        assertThat(cli.runRaw("db", "status", "--json").out()).contains("\"running\":false");
    }

    @Test
    void bothCommandsHaveHelpWithExamples() {
        CliRunner cli = new CliRunner();
        CliRunner.Result backup = cli.runRaw("db", "backup", "--help");
        assertThat(backup.out()).contains("Examples:", "mailer db backup /var/backups/mailer/$(date +%F)",
                "--json", "0600");
        CliRunner.Result restore = cli.runRaw("db", "restore", "--help");
        assertThat(restore.out()).contains("Examples:", "--force", "--json", "exit 3");
        assertThat(cli.runRaw("db", "--help").out()).contains("backup", "restore");
    }

    /** Each data table's row count and content hash, Flyway's history aside. */
    private static Map<String, String> data(CliRunner cli) {
        try (TestDatabase db = TestDatabase.at(cli.dbUrl(), TestPostgres.server().user(),
                TestPostgres.server().password())) {
            Map<String, String> data = new TreeMap<>(db.fingerprints());
            data.remove("flyway_schema_history");
            return data;
        }
    }
}
