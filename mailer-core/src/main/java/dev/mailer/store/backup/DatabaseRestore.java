package dev.mailer.store.backup;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.Database;
import dev.mailer.store.DatabaseSettings;
import dev.mailer.store.embedded.EmbeddedPostgres;
import dev.mailer.store.embedded.Users;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Loads a backup made by {@link DatabaseBackup} into a database of the same schema version
 * ({@code mailer db restore}): every table by {@code COPY … FROM STDIN}, parents before the
 * tables that refer to them, in one transaction (a failure leaves the database as it was), and
 * then every identity and serial sequence set past the highest value restored, so that new rows
 * get ids after the restored ones.
 */
public final class DatabaseRestore {
    /** What was loaded; {@code replaced} when the tables held data that was emptied first (--force). */
    public record Result(Path file, String schemaVersion, String createdAt, Map<String, Long> rows, boolean replaced) {
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private DatabaseRestore() {
    }

    /**
     * Refuses (kind {@link ErrorKind#BUSY}) while another mailer process uses the embedded server of
     * the settings' home. Asked before the database is opened, when this process is not yet one of
     * the users, so every user listed is another (a test's server in this JVM too); a no-op for
     * your own server, whose other clients mailer cannot tell.
     */
    public static void refuseWhileOthersUse(DatabaseSettings settings) {
        if (settings.isEmbedded()) {
            refuseWhileUsed(settings.mailerHome(), EmbeddedPostgres.status(settings.mailerHome(), settings.embedded())
                    .users());
        }
    }

    private static void refuseWhileUsed(Path home, List<Users.User> others) {
        if (!others.isEmpty()) {
            String who = others.stream().map(u -> "'mailer " + u.command() + "' (pid " + u.pid() + ")")
                    .collect(Collectors.joining(", "));
            throw new MailerException(ErrorKind.BUSY, "The embedded database of " + home + " is in use by " + who
                    + "; stop " + (others.size() == 1 ? "it" : "them") + " before restoring, since a restore"
                    + " replaces the data it works on.");
        }
    }

    /**
     * Restores {@code backup} into {@code database} (opened, so migrated to this build's schema).
     *
     * @param force empty the tables first when they hold data; without it such a database is refused
     */
    public static Result run(Database database, BackupFile backup, boolean force) {
        BackupManifest manifest = backup.manifest();
        String build = database.buildSchemaVersion();
        if (!Objects.equals(manifest.schemaVersion(), build)) {
            throw new MailerException(ErrorKind.INPUT_FILE, "The backup " + backup.path() + " has schema version "
                    + manifest.schemaVersion() + " and this build of mailer schema version " + build
                    + "; restore it with the mailer version that made it.");
        }
        String current = database.schemaVersion();
        if (!Objects.equals(current, build)) {
            throw new MailerException(ErrorKind.SCHEMA, "The database has schema version " + current
                    + ", not this build's " + build + "; restore into a database of this version.");
        }
        // again now that this process is registered too: one that joined since the first check counts
        Path home = database.embeddedHome();
        if (home != null) {
            refuseWhileUsed(home, database.otherEmbeddedUsers());
        }
        try {
            return database.withConnection(connection -> load(connection, backup, force));
        } catch (UncheckedIOException e) {
            throw new MailerException(ErrorKind.INPUT_FILE, "The backup file " + backup.path()
                    + " could not be read to the end (" + e.getCause().getMessage() + "); nothing was restored.", e);
        }
    }

    private static Result load(Connection connection, BackupFile backup, boolean force) throws SQLException {
        BackupManifest manifest = backup.manifest();
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        boolean committed = false;
        try (Statement statement = connection.createStatement()) {
            statement.execute(DatabaseBackup.SESSION);
            Catalogue catalogue = Catalogue.read(connection);
            Map<String, BackupManifest.TableEntry> entries = new LinkedHashMap<>();
            manifest.tables().forEach(t -> entries.put(t.name(), t));
            if (!entries.keySet().equals(new java.util.TreeSet<>(catalogue.names()).stream()
                    .collect(Collectors.toCollection(java.util.LinkedHashSet::new)))
                    && !new java.util.HashSet<>(entries.keySet()).equals(new java.util.HashSet<>(catalogue.names()))) {
                throw new MailerException(ErrorKind.INPUT_FILE, "The backup " + backup.path() + " holds tables "
                        + new java.util.TreeSet<>(entries.keySet()) + " but the database has "
                        + new java.util.TreeSet<>(catalogue.names()) + "; it was not made from this schema.");
            }
            Map<String, Long> present = rowsPresent(connection, catalogue);
            boolean replaced = !present.isEmpty();
            if (replaced && !force) {
                throw MailerException.usage("The database already holds data (" + present.entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue() + (e.getValue() == 1 ? " row" : " rows"))
                        .collect(Collectors.joining(", ")) + "); give --force to replace it with the backup.");
            }
            if (replaced) {
                // truncate fires no row triggers: consent_record's append-only rule guards deletes, not this
                statement.execute("truncate table " + catalogue.tables().stream().map(catalogue::qualified)
                        .collect(Collectors.joining(", ")) + " restart identity");
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            Map<String, Long> rows = new LinkedHashMap<>();
            for (Catalogue.Table table : catalogue.tables()) {
                BackupManifest.TableEntry entry = entries.get(table.name());
                if (!new java.util.HashSet<>(entry.columns()).equals(new java.util.HashSet<>(table.columns()))) {
                    throw new MailerException(ErrorKind.INPUT_FILE, "The backup " + backup.path() + " has columns "
                            + entry.columns() + " for table " + table.name() + " but the database has "
                            + table.columns() + "; it was not made from this schema.");
                }
                long loaded;
                try (InputStream in = backup.data(entry)) {
                    loaded = copy.copyIn("copy " + catalogue.qualified(table) + " ("
                            + Catalogue.columnList(entry.columns()) + ") from stdin (format csv, header true)", in);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (loaded != entry.rows()) {
                    throw new MailerException(ErrorKind.INPUT_FILE, "The backup " + backup.path() + " gives "
                            + entry.rows() + " rows for table " + table.name() + " but holds " + loaded
                            + "; nothing was restored.");
                }
                rows.put(table.name(), loaded);
            }
            resetSequences(connection, catalogue);
            connection.commit();
            committed = true;
            return new Result(backup.path(), manifest.schemaVersion(), manifest.createdAt(), rows, replaced);
        } finally {
            if (!committed) {
                connection.rollback();
            }
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Tables that hold rows, with their counts; empty when the database holds no data. */
    private static Map<String, Long> rowsPresent(Connection connection, Catalogue catalogue) throws SQLException {
        Map<String, Long> present = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement()) {
            for (Catalogue.Table table : catalogue.tables()) {
                try (ResultSet rs = statement.executeQuery("select count(*) from " + catalogue.qualified(table))) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        present.put(table.name(), rs.getLong(1));
                    }
                }
            }
        }
        return present;
    }

    /** Every identity or serial sequence to just past the column's highest value (1 for an empty table). */
    private static void resetSequences(Connection connection, Catalogue catalogue) throws SQLException {
        for (Catalogue.Table table : catalogue.tables()) {
            for (var sequence : table.sequences().entrySet()) {
                try (PreparedStatement statement = connection.prepareStatement("select setval(cast(? as regclass),"
                        + " coalesce((select max(" + Catalogue.identifier(sequence.getKey()) + ") from "
                        + catalogue.qualified(table) + "), 0) + 1, false)")) {
                    statement.setString(1, sequence.getValue());
                    statement.execute();
                }
            }
        }
    }

    /** The tables of the manifest in the order given, for messages. */
    static List<String> names(BackupManifest manifest) {
        List<String> names = new ArrayList<>();
        manifest.tables().forEach(t -> names.add(t.name()));
        return names;
    }
}
