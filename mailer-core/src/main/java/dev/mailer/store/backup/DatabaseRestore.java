package dev.mailer.store.backup;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.Database;
import dev.mailer.store.embedded.Users;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Loads a backup made by {@link DatabaseBackup} ({@code mailer db restore}). The database is
 * brought to the backup's schema version by the migrations (an empty one is built up to it), the
 * rows are loaded in one transaction (a failure leaves the data as it was), and a backup older
 * than this build is then migrated up like any database.
 *
 * <p>The transaction locks every table first (so no session writes meanwhile; one that holds a
 * table for 10 s makes the restore give up with kind {@link ErrorKind#BUSY}), asks once more
 * whether another mailer process uses the embedded server, empties the tables when they hold data
 * and {@code force} allows it, loads each table by {@code COPY … FROM STDIN}, parents first (the
 * file's order), so every constraint holds when each statement ends, and sets every sequence to
 * its saved value, or past the highest id restored if that is higher, so new rows never collide.
 */
public final class DatabaseRestore {
    /**
     * What was loaded.
     *
     * @param migratedTo the schema version the database was migrated to after the load; null when
     *                   the backup's is this build's
     * @param replaced   whether the database held data, which the backup replaced (force)
     */
    public record Result(Path file, long bytes, String schemaVersion, String migratedTo, String createdAt,
                         Map<String, Long> rows, boolean replaced, Duration elapsed) {
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static final String LOCK_TIMEOUT = "10s";

    private DatabaseRestore() {
    }

    /**
     * Restores {@code backup} into {@code database}, opened as it is ({@link Database#openAsIs}).
     *
     * @param force replace the data the database holds; without it such a database is refused
     */
    public static Result run(Database database, BackupFile backup, boolean force, CopyProgress progress) {
        long started = System.nanoTime();
        BackupManifest manifest = backup.manifest();
        String version = manifest.schemaVersion();
        String build = database.buildSchemaVersion();
        if (Database.compareSchemaVersions(version, build) > 0) {
            throw new MailerException(ErrorKind.INPUT_FILE, "The backup " + backup.path() + " has schema version "
                    + version + ", newer than this build of mailer knows (" + build + "); restore it with "
                    + (manifest.mailerVersion() == null ? "the mailer that made it" : "mailer "
                    + manifest.mailerVersion()) + " or a newer one.");
        }
        refuseWhileOthersUse(database);
        String current = database.schemaVersion();
        if (Database.compareSchemaVersions(current, version) > 0) {
            throw new MailerException(ErrorKind.SCHEMA, "The database already has schema version " + current
                    + ", newer than the backup's " + version + ", and a schema is never taken back; restore into"
                    + " an empty database (a new MAILER_HOME, or a new database given with --db), which mailer"
                    + " builds up to version " + version + ", loads and then migrates to " + build + ".");
        }
        if (!force && !Database.NO_SCHEMA.equals(current)) {
            database.withConnection(connection -> {
                refuseIfHoldsData(connection, Catalogue.read(connection));
                return null;
            });
        }
        if (Database.compareSchemaVersions(current, version) < 0) {
            database.migrateTo(version);
        }
        Load load = database.inTransaction(connection -> load(connection, database, backup, force, progress));
        String migratedTo = Database.compareSchemaVersions(version, build) < 0 ? database.migrate() : null;
        return new Result(backup.path(), backup.size(), version, migratedTo, manifest.createdAt(), load.rows(),
                load.replaced(), Duration.ofNanos(System.nanoTime() - started));
    }

    private record Load(Map<String, Long> rows, boolean replaced) {
    }

    private static Load load(Connection connection, Database database, BackupFile backup, boolean force,
                             CopyProgress progress) throws SQLException {
        BackupManifest manifest = backup.manifest();
        try (Statement statement = connection.createStatement()) {
            statement.execute(DatabaseBackup.SESSION + "; set local statement_timeout = 0;"
                    + " set local lock_timeout = '" + LOCK_TIMEOUT + "'");
            Catalogue catalogue = Catalogue.read(connection);
            refuseUnlessSameTables(backup, catalogue);
            String all = catalogue.tables().stream().map(catalogue::qualified).collect(Collectors.joining(", "));
            try {
                statement.execute("lock table " + all + " in access exclusive mode");
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState())) { // lock_not_available
                    throw new MailerException(ErrorKind.BUSY, "Another session has been using mailer's tables for "
                            + LOCK_TIMEOUT + " (" + database.describe() + "): stop serve, send and feedback poll"
                            + " on this database first, then restore again.", e);
                }
                throw e;
            }
            // asked again now that nobody can write: a process that joined since the first check counts
            refuseWhileOthersUse(database);
            List<String> withRows = tablesWithRows(connection, catalogue);
            boolean replaced = !withRows.isEmpty();
            if (replaced) {
                if (!force) {
                    throw holdsData(withRows);
                }
                // truncate fires no row triggers: consent_record's append-only rule guards updates and deletes
                statement.execute("truncate table " + all + " restart identity");
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            Map<String, Long> rows = new LinkedHashMap<>();
            byte[] buffer = new byte[BackupFormat.MAX_CHUNK];
            long[] done = {0};
            backup.load((table, chunks) -> {
                progress.update(table.name(), done[0], backup.dataBytes());
                CopyIn in = copy.copyIn("copy " + catalogue.qualified(table.name()) + " ("
                        + Catalogue.columnList(table.columns()) + ") from stdin (format csv)");
                long loaded;
                try {
                    for (int n = chunks.next(buffer); n > 0; n = chunks.next(buffer)) {
                        in.writeToCopy(buffer, 0, n);
                        done[0] += n;
                        progress.update(table.name(), done[0], backup.dataBytes());
                    }
                    loaded = in.endCopy();
                } catch (SQLException e) {
                    if (connectionLost(e)) {
                        throw e;
                    }
                    throw notLoaded(backup, table.name(), e);
                } finally {
                    cancelIfActive(in);
                }
                if (loaded != table.rows()) {
                    throw new MailerException(ErrorKind.INPUT_FILE, "The backup " + backup.path() + " gives "
                            + table.rows() + " rows for table " + table.name() + " but holds " + loaded
                            + "; nothing was restored.");
                }
                rows.put(table.name(), loaded);
            });
            setSequences(connection, catalogue, manifest.sequences());
            return new Load(rows, replaced);
        }
    }

    /** Every table of the backup is one of the database and the other way round, each with the same columns. */
    private static void refuseUnlessSameTables(BackupFile backup, Catalogue catalogue) {
        Set<String> inBackup = backup.manifest().tables().stream().map(BackupManifest.Table::name)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> inDatabase = new TreeSet<>(catalogue.names());
        if (!inBackup.equals(inDatabase)) {
            throw new MailerException(ErrorKind.INPUT_FILE, "The backup " + backup.path() + " holds the tables "
                    + inBackup + " but the database has " + inDatabase + " at schema version "
                    + backup.manifest().schemaVersion() + "; its schema was changed by hand on one side.");
        }
        for (BackupManifest.Table table : backup.manifest().tables()) {
            List<String> columns = catalogue.table(table.name()).columns();
            if (!new HashSet<>(table.columns()).equals(new HashSet<>(columns))) {
                throw new MailerException(ErrorKind.INPUT_FILE, "The backup " + backup.path() + " has the columns "
                        + table.columns() + " for table " + table.name() + " but the database has " + columns
                        + " at schema version " + backup.manifest().schemaVersion()
                        + "; its schema was changed by hand on one side.");
            }
        }
    }

    private static void refuseIfHoldsData(Connection connection, Catalogue catalogue) throws SQLException {
        List<String> tables = tablesWithRows(connection, catalogue);
        if (!tables.isEmpty()) {
            throw holdsData(tables);
        }
    }

    private static MailerException holdsData(List<String> tables) {
        return MailerException.usage("The database already holds data (in " + String.join(", ", tables)
                + "); give --force to replace it with the backup.");
    }

    /** Ends a COPY that failed half-way; the transaction is rolled back anyway, and the first failure told. */
    private static void cancelIfActive(CopyIn in) {
        if (in.isActive()) {
            try {
                in.cancelCopy();
            } catch (SQLException ignored) {
                // the failure that stopped the COPY is the one to report
            }
        }
    }

    private static List<String> tablesWithRows(Connection connection, Catalogue catalogue) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            for (Catalogue.Table table : catalogue.tables()) {
                try (ResultSet rs = statement.executeQuery("select exists (select from "
                        + catalogue.qualified(table) + ")")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        tables.add(table.name());
                    }
                }
            }
        }
        return tables;
    }

    /**
     * Each sequence to its saved value; one behind an identity or serial column to past that
     * column's highest value where that is higher (a sequence read a moment after the snapshot is
     * never lower, but the rows decide).
     */
    private static void setSequences(Connection connection, Catalogue catalogue,
                                     List<BackupManifest.Sequence> saved) throws SQLException {
        Set<String> present = new HashSet<>(catalogue.sequences());
        try (PreparedStatement setval = connection.prepareStatement("select setval(cast(? as regclass), ?, ?)")) {
            for (BackupManifest.Sequence sequence : saved) {
                if (present.contains(sequence.name())) {
                    setval.setString(1, catalogue.qualified(sequence.name()));
                    setval.setLong(2, sequence.value());
                    setval.setBoolean(3, sequence.called());
                    setval.execute();
                }
            }
            for (Catalogue.Table table : catalogue.tables()) {
                for (var owned : table.sequences().entrySet()) {
                    // pg_get_serial_sequence names it quoted as needed: SQL as it is
                    String sequence = owned.getValue();
                    try (Statement statement = connection.createStatement();
                         ResultSet rs = statement.executeQuery("select x.m, s.last_value, s.is_called from (select max("
                                 + Catalogue.identifier(owned.getKey()) + ") as m from " + catalogue.qualified(table)
                                 + ") x, " + sequence + " s")) {
                        rs.next();
                        long max = rs.getLong(1);
                        boolean empty = rs.wasNull();
                        long next = rs.getBoolean(3) ? rs.getLong(2) + 1 : rs.getLong(2);
                        if (!empty && max >= next) {
                            setval.setString(1, sequence);
                            setval.setLong(2, max);
                            setval.setBoolean(3, true);
                            setval.execute();
                        }
                    }
                }
            }
        }
    }

    private static void refuseWhileOthersUse(Database database) {
        List<Users.User> others = database.otherEmbeddedUsers();
        if (!others.isEmpty()) {
            String who = others.stream().map(u -> u.command() + " (pid " + u.pid() + ")")
                    .collect(Collectors.joining(", "));
            boolean one = others.size() == 1;
            throw new MailerException(ErrorKind.BUSY, who + (one ? " uses" : " use") + " the embedded database in "
                    + database.embeddedHome() + ": stop " + (one ? "it" : "them") + " first, since a restore"
                    + " replaces the data " + (one ? "it works" : "they work") + " on.");
        }
    }

    /** SQLSTATE class 08 (connection exception) or 57P01-57P03 (the server going away): the database's failure. */
    private static boolean connectionLost(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.matches("57P0[1-3]");
    }

    /** A load the database refused: the file's rows do not fit its tables. */
    private static MailerException notLoaded(BackupFile backup, String table, SQLException e) {
        String message = e.getMessage() == null ? String.valueOf(e.getSQLState())
                : e.getMessage().strip().lines().findFirst().orElse("");
        return new MailerException(ErrorKind.INPUT_FILE, "The rows of table " + table + " in the backup "
                + backup.path() + " could not be loaded (" + message + "); nothing was restored.", e);
    }
}
