package dev.mailer.store.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.Database;
import dev.mailer.store.DatabaseSettings;
import dev.mailer.store.TestDatabase;
import dev.mailer.store.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code db backup} and {@code db restore} in the core, on databases of the shared test server
 * (the path of your own PostgreSQL given with --db; the embedded default is in the CLI's tests).
 */
class BackupRestoreTest {
    @TempDir
    Path dir;

    @Test
    void aRestoreGivesBackEveryRowAndNewRowsGetIdsAfterTheRestoredOnes() throws IOException {
        try (TestDatabase db = TestDatabase.fresh()) {
            populate(db);
            Map<String, String> before = data(db);
            Path backups = Files.createDirectory(dir.resolve("backups"));
            Path file = backups.resolve("shop.mailer-backup.gz");

            DatabaseBackup.Result backup = DatabaseBackup.write(db.database(), file, CopyProgress.NONE);

            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(backups.toFile().list()).as("no temporary file left").containsExactly("shop.mailer-backup.gz");
            assertThat(backup.schemaVersion()).isEqualTo(db.database().buildSchemaVersion());
            assertThat(backup.rows()).containsEntry("contact", 4L).containsEntry("delivery", 4L)
                    .doesNotContainKey(Database.SCHEMA_HISTORY_TABLE);
            assertThat(backup.rows().keySet()).containsExactlyInAnyOrderElementsOf(dataTables(db));
            assertThat(backup.bytes()).isEqualTo(Files.size(file));
            long maxContact = db.count("select max(id) from contact");

            // the data changes: rows deleted, changed and added, ids used up
            db.update("delete from delivery");
            db.update("update campaign set status = 'finished'");
            db.update("insert into contact (email, email_norm) select 'x' || g || '@example.com', 'x' || g"
                    + " || '@example.com' from generate_series(1, 50) g");
            db.update("delete from contact where email_norm like 'x%'");
            assertThat(data(db)).isNotEqualTo(before);

            DatabaseRestore.Result restored = DatabaseRestore.run(db.database(), BackupFile.open(file), true,
                    CopyProgress.NONE);

            assertThat(restored.replaced()).isTrue();
            assertThat(restored.migratedTo()).isNull();
            assertThat(restored.rows()).isEqualTo(backup.rows());
            assertThat(data(db)).isEqualTo(before);
            long id = db.count("insert into contact (email, email_norm) values ('new@example.com',"
                    + " 'new@example.com') returning id");
            assertThat(id).as("the sequence as it was saved, past the 50 used up before the backup's restore?")
                    .isGreaterThan(maxContact);
            db.count("insert into consent_record (contact_id, purpose, status, consent_at, recorded_via)"
                    + " values (?, 'newsletter', 'granted', now(), 'test') returning id", id);

            // and into an empty database, never migrated: it is built up to the backup's schema
            String url = TestPostgres.freshDatabase();
            try (Database empty = Database.openAsIs(settings(url))) {
                assertThat(empty.schemaVersion()).isEqualTo(Database.NO_SCHEMA);
                DatabaseRestore.Result intoEmpty = DatabaseRestore.run(empty, BackupFile.open(file), false,
                        CopyProgress.NONE);
                assertThat(intoEmpty.replaced()).isFalse();
                assertThat(empty.schemaVersion()).isEqualTo(backup.schemaVersion());
            }
            try (TestDatabase copy = TestDatabase.at(url, TestPostgres.server().user(), TestPostgres.server().password())) {
                assertThat(data(copy)).isEqualTo(before);
                assertThat(copy.count("insert into contact (email, email_norm) values ('new@example.com',"
                        + " 'new@example.com') returning id")).isGreaterThan(maxContact);
                assertThat(copy.count("insert into audit_log (actor, action) values ('test', 'test') returning id"))
                        .isGreaterThan(db.count("select max(id) from audit_log where actor <> 'test'"));
            }
        }
    }

    @Test
    void aBackupIsOneSnapshotWhileAnotherConnectionWrites() throws IOException {
        try (TestDatabase db = TestDatabase.fresh();
             TestDatabase writer = TestDatabase.at(urlOf(db), TestPostgres.server().user(), TestPostgres.server().password())) {
            populate(db);
            Map<String, String> before = data(db);
            long campaign = db.count("select id from campaign");
            Set<String> tablesBegun = new HashSet<>();
            int[] writes = {0};
            // whenever a table begins, another connection commits rows into parents and children alike,
            // changes rows and deletes some: none of it may be in the backup, which must not wait for it either
            CopyProgress writeMeanwhile = (table, bytes, total) -> {
                if (tablesBegun.add(table)) {
                    int n = ++writes[0];
                    long contact = writer.count("insert into contact (email, email_norm) values (?, ?) returning id",
                            "late" + n + "@example.com", "late" + n + "@example.com");
                    writer.update("insert into consent_record (contact_id, purpose, status, consent_at, recorded_via)"
                            + " values (?, 'newsletter', 'granted', now(), 'late')", contact);
                    writer.update("insert into delivery (campaign_id, contact_id) values (?, ?)", campaign, contact);
                    writer.update("update contact set name = 'changed ' || ? where email_norm = 'anna@example.com'", n);
                    writer.update("delete from feedback_event");
                }
            };
            Path file = dir.resolve("busy.mailer-backup.gz");

            DatabaseBackup.write(db.database(), file, writeMeanwhile);

            assertThat(writes[0]).isEqualTo(dataTables(db).size());
            assertThat(db.count("select count(*) from contact where email_norm like 'late%'")).isEqualTo(writes[0]);
            String url = TestPostgres.freshDatabase();
            try (Database empty = Database.openAsIs(settings(url))) {
                DatabaseRestore.run(empty, BackupFile.open(file), false, CopyProgress.NONE);
            }
            try (TestDatabase copy = TestDatabase.at(url, TestPostgres.server().user(), TestPostgres.server().password())) {
                assertThat(data(copy)).isEqualTo(before);
            }
        }
    }

    @Test
    void aDamagedCutShortOrForeignFileIsRefusedInOneSentence() throws IOException {
        try (TestDatabase db = TestDatabase.fresh()) {
            populate(db);
            Path good = dir.resolve("good.mailer-backup.gz");
            DatabaseBackup.write(db.database(), good, CopyProgress.NONE);
            byte[] bytes = Files.readAllBytes(good);

            assertRefused(write("half.gz", java.util.Arrays.copyOf(bytes, bytes.length / 2)), "is incomplete");
            assertRefused(write("no-trailer.gz", java.util.Arrays.copyOf(bytes, bytes.length - 4)), "is incomplete");
            byte[] flipped = bytes.clone();
            for (int i = bytes.length / 3; i < bytes.length / 3 + 8; i++) {
                flipped[i] ^= 0x5a;
            }
            assertRefused(write("flipped.gz", flipped), "is damaged");
            byte[] crc = bytes.clone();
            crc[bytes.length - 8] ^= 1; // the trailer's CRC-32
            assertRefused(write("crc.gz", crc), "is damaged");
            assertRefused(write("text.csv", "email\nanna@example.com\n".getBytes(StandardCharsets.UTF_8)),
                    "is not a mailer backup (not a gzip file");
            assertRefused(write("csv.gz", gzip("email\nanna@example.com\n")), "is not a mailer backup");
            assertRefused(write("empty.gz", new byte[0]), "is not a mailer backup");
            assertRefused(write("future.gz", gzip("mailer-backup 2\n{}\n")), "of format 2, which this build");
            assertRefused(dir.resolve("missing.gz"), "There is no backup file");
            assertRefused(dir, "is a directory");
            String text = gunzip(bytes);
            assertRefused(write("tail.gz", gzip(text + "more\n")), "is damaged (it holds more data after its end)");
            assertRefused(write("no-end.gz", gzip(text.substring(0, text.length() - "end\n".length()))),
                    "is incomplete");
        }
    }

    @Test
    void aFailingLoadLeavesTheDatabaseAsItWas() throws IOException {
        try (TestDatabase db = TestDatabase.fresh()) {
            populate(db);
            Path good = dir.resolve("good.mailer-backup.gz");
            DatabaseBackup.write(db.database(), good, CopyProgress.NONE);
            db.update("insert into contact (email, email_norm) values ('after@example.com', 'after@example.com')");
            Map<String, String> before = data(db);
            // a manifest that promises one row more for the last table: found out only when it is loaded,
            // after every table was emptied and all the others loaded
            String text = gunzip(Files.readAllBytes(good));
            String[] lines = text.split("\n", 3);
            BackupManifest manifest = BackupFile.JSON.readValue(lines[1], BackupManifest.class);
            List<BackupManifest.Table> tables = new ArrayList<>(manifest.tables());
            BackupManifest.Table last = tables.remove(tables.size() - 1);
            tables.add(new BackupManifest.Table(last.name(), last.columns(), last.rows() + 1));
            BackupManifest wrong = new BackupManifest(manifest.format(), manifest.formatVersion(),
                    manifest.mailerVersion(), manifest.schemaVersion(), manifest.postgresVersion(),
                    manifest.createdAt(), manifest.source(), tables, manifest.sequences());
            Path file = write("wrong.gz", gzip(lines[0] + "\n" + BackupFile.JSON.writeValueAsString(wrong) + "\n"
                    + lines[2]));

            assertThatThrownBy(() -> DatabaseRestore.run(db.database(), BackupFile.open(file), true, CopyProgress.NONE))
                    .isInstanceOf(MailerException.class)
                    .hasMessageContaining("gives " + (last.rows() + 1) + " rows for table " + last.name())
                    .hasMessageEndingWith("nothing was restored.")
                    .extracting(e -> ((MailerException) e).kind()).isEqualTo(ErrorKind.INPUT_FILE);
            assertThat(data(db)).isEqualTo(before);
        }
    }

    @Test
    void aDatabaseThatHoldsDataIsReplacedOnlyWithForce() throws IOException {
        try (TestDatabase db = TestDatabase.fresh()) {
            populate(db);
            Path file = dir.resolve("b.mailer-backup.gz");
            DatabaseBackup.write(db.database(), file, CopyProgress.NONE);
            Map<String, String> before = data(db);

            assertThatThrownBy(() -> DatabaseRestore.run(db.database(), BackupFile.open(file), false, CopyProgress.NONE))
                    .isInstanceOf(MailerException.class)
                    .hasMessageStartingWith("The database already holds data (in ")
                    .hasMessageContaining("contact")
                    .hasMessageEndingWith("give --force to replace it with the backup.")
                    .extracting(e -> ((MailerException) e).kind()).isEqualTo(ErrorKind.USAGE);
            assertThat(data(db)).isEqualTo(before);
        }
    }

    @Test
    void aBackupOfAnOlderSchemaIsLoadedIntoThatVersionAndThenMigrated() throws IOException {
        Path file = dir.resolve("v5.mailer-backup.gz");
        // a database left at version 5 by an older mailer, with data
        String oldUrl = TestPostgres.freshDatabase();
        try (Database older = Database.openAsIs(settings(oldUrl))) {
            older.migrateTo("5");
            older.withConnection(connection -> {
                try (var statement = connection.createStatement()) {
                    statement.execute("insert into contact (email, email_norm) values ('old@example.com', 'old@example.com')");
                    statement.execute("insert into feedback_event (source_key, type, hard) values ('k1', 'bounce', true)");
                }
                return null;
            });
            DatabaseBackup.Result backup = DatabaseBackup.write(older, file, CopyProgress.NONE);
            assertThat(backup.schemaVersion()).isEqualTo("5");
            assertThat(older.schemaVersion()).as("a backup changes nothing").isEqualTo("5");
        }

        String fresh = TestPostgres.freshDatabase();
        try (Database empty = Database.openAsIs(settings(fresh))) {
            DatabaseRestore.Result restored = DatabaseRestore.run(empty, BackupFile.open(file), false, CopyProgress.NONE);
            assertThat(restored.schemaVersion()).isEqualTo("5");
            assertThat(restored.migratedTo()).isEqualTo(empty.buildSchemaVersion());
            assertThat(empty.schemaVersion()).isEqualTo(empty.buildSchemaVersion());
        }
        try (TestDatabase copy = TestDatabase.at(fresh, TestPostgres.server().user(), TestPostgres.server().password())) {
            assertThat(copy.rows("select email_norm from contact")).containsExactly(List.of("old@example.com"));
            assertThat(copy.rows("select source_key, fault from feedback_event"))
                    .containsExactly(java.util.Arrays.asList("k1", null));
        }

        // a database already at this build's version cannot be taken back to 5
        try (TestDatabase current = TestDatabase.fresh()) {
            assertThatThrownBy(() -> DatabaseRestore.run(current.database(), BackupFile.open(file), true,
                    CopyProgress.NONE))
                    .isInstanceOf(MailerException.class)
                    .hasMessageContaining("already has schema version " + current.database().buildSchemaVersion()
                            + ", newer than the backup's 5")
                    .hasMessageContaining("restore into an empty database");
        }
    }

    @Test
    void aBackupOfANewerSchemaThanThisBuildKnowsIsRefused() throws IOException {
        try (TestDatabase db = TestDatabase.fresh()) {
            Path good = dir.resolve("good.mailer-backup.gz");
            DatabaseBackup.write(db.database(), good, CopyProgress.NONE);
            String text = gunzip(Files.readAllBytes(good));
            Path future = write("future.gz", gzip(text.replaceFirst("\"schemaVersion\":\"[^\"]+\"",
                    "\"schemaVersion\":\"999\"")));
            assertThatThrownBy(() -> DatabaseRestore.run(db.database(), BackupFile.open(future), true, CopyProgress.NONE))
                    .isInstanceOf(MailerException.class)
                    .hasMessageContaining("has schema version 999, newer than this build of mailer knows")
                    .extracting(e -> ((MailerException) e).kind()).isEqualTo(ErrorKind.INPUT_FILE);
        }
    }

    @Test
    void aBackupNeedsADirectoryThatExistsAndASchema() {
        try (TestDatabase db = TestDatabase.fresh()) {
            assertThatThrownBy(() -> DatabaseBackup.write(db.database(), dir.resolve("nope/b.gz"), CopyProgress.NONE))
                    .hasMessageContaining("the directory " + dir.resolve("nope") + " does not exist");
        }
        try (Database empty = Database.openAsIs(settings(TestPostgres.freshDatabase()))) {
            assertThatThrownBy(() -> DatabaseBackup.write(empty, dir.resolve("b.gz"), CopyProgress.NONE))
                    .hasMessageContaining("holds no mailer schema yet");
            assertThat(dir.toFile().list()).isEmpty();
        }
    }

    /** Contacts with awkward values, consent, a campaign with deliveries, feedback, suppressions, audit rows. */
    private void populate(TestDatabase db) throws IOException {
        Path csv = Files.writeString(dir.resolve("contacts.csv"), String.join("\n",
                "email,name,locale,tags,birth_date,consent_purpose,consent_at,consent_source,confirmed_at,favourite",
                "anna@example.com,\"Nowak, Anna\",pl,customers;vip,1990-05-01,newsletter,2026-01-01T10:00:00Z,"
                        + "\"checkout \"\"A\"\"\",2026-01-01T10:05:00Z,\"latte\nwith oat milk\"",
                "bob@example.com,,en,,,newsletter,2026-01-02T10:00:00Z,,,",
                "jovana@example.com,Јована Јовановић,sr-Latn,customers,2010-02-03,newsletter,"
                        + "2026-01-03T10:00:00+01:00,form,2026-01-03T10:00:00Z,\\.",
                "nobody@example.com,\"\",,,,,,,,\"\"", ""), StandardCharsets.UTF_8);
        db.engine().contactImport().run(csv, "test", false, "test", n -> { });
        db.engine().suppressions().add("spam@example.com", "manual", "tab\there", "test");
        long campaign = db.count("insert into campaign (name, purpose, template, spec) values ('n-2026-01',"
                + " 'newsletter', 'newsletter', '{\"subject\": \"Zażółć \\\"gęślą\\\"\\nnowa linia\"}') returning id");
        db.update("insert into delivery (campaign_id, contact_id, status, attempts, smtp_code, smtp_reply, sent_at)"
                + " select ?, id, 'sent', 1, 250, '250 2.0.0 Ok: queued as ABC', now() from contact", campaign);
        db.update("insert into feedback_event (source_key, type, contact_id, campaign_id, hard, status, diagnostic)"
                + " select 'dsn-1', 'bounce', id, ?, false, '4.2.2', 'mailbox full' from contact"
                + " where email_norm = 'bob@example.com'", campaign);
        db.update("insert into campaign_sender (campaign_id, owner, heartbeat_at) values (?, 'host:1', now())", campaign);
    }

    /** Each data table's row count and content hash (Flyway's history differs between databases by its times). */
    private static Map<String, String> data(TestDatabase db) {
        Map<String, String> data = new TreeMap<>(db.fingerprints());
        data.remove(Database.SCHEMA_HISTORY_TABLE);
        return data;
    }

    private static List<String> dataTables(TestDatabase db) {
        return db.tables().stream().filter(t -> !t.equals(Database.SCHEMA_HISTORY_TABLE)).toList();
    }

    private static String urlOf(TestDatabase db) {
        return db.database().withConnection(connection -> connection.getMetaData().getURL());
    }

    private static DatabaseSettings settings(String url) {
        return DatabaseSettings.server(url, TestPostgres.server().user(), TestPostgres.server().password());
    }

    private static void assertRefused(Path file, String sentence) {
        assertThatThrownBy(() -> BackupFile.open(file))
                .as(file.getFileName().toString())
                .isInstanceOf(MailerException.class)
                .hasMessageContaining(sentence)
                .extracting(e -> ((MailerException) e).kind()).isEqualTo(ErrorKind.INPUT_FILE);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static String gunzip(byte[] bytes) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
