package dev.mailer.store.backup;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.Database;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A logical backup over JDBC ({@code mailer db backup}): the embedded server brings no pg_dump,
 * so every table of mailer's schema (found in the catalogue) is written by {@code COPY … TO
 * STDOUT}, all inside one {@code REPEATABLE READ READ ONLY} transaction: one consistent snapshot,
 * while other processes go on writing. Flyway's history is not copied: the manifest records the
 * schema version, and a restore builds that schema with the migrations. The file (see
 * {@link BackupFormat}) is written beside its name, made durable, then renamed onto it, so it is
 * either the whole backup or not there; it is readable by its owner only, since it holds
 * personal data.
 *
 * <p>CSV rather than COPY's binary format: the binary format is PostgreSQL's internal
 * representation per type and documented as less portable across server versions, while CSV
 * restores into any PostgreSQL mailer supports (the embedded 17 into your own 15, say), keeps
 * NULL apart from the empty string, and can be read with zcat. The session's output settings are
 * fixed for the snapshot (UTC, ISO dates, hex bytea), so a file does not depend on the client's
 * time zone. A backup never changes the database: it is opened as it is, not migrated.
 */
public final class DatabaseBackup {
    /** What was written. */
    public record Result(Path file, long bytes, String schemaVersion, String postgresVersion, String createdAt,
                         Map<String, Long> rows, Duration elapsed) {
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Output settings of the session that copies (and of the one that loads). */
    static final String SESSION = "set local timezone = 'UTC'; set local datestyle = 'ISO, YMD';"
            + " set local intervalstyle = 'postgres'; set local bytea_output = 'hex';"
            + " set local extra_float_digits = 3";

    private DatabaseBackup() {
    }

    /** Writes a backup of {@code database} to {@code file}. */
    public static Result write(Database database, Path file, CopyProgress progress) {
        long started = System.nanoTime();
        Path target = file.toAbsolutePath().normalize();
        Path directory = target.getParent();
        if (Files.isDirectory(target)) {
            throw MailerException.usage("Cannot write the backup to " + file + ": it is a directory.");
        }
        if (directory == null || !Files.isDirectory(directory)) {
            throw MailerException.usage("Cannot write the backup to " + file + ": the directory "
                    + directory + " does not exist.");
        }
        Path tmp = null;
        boolean renamed = false;
        try {
            tmp = createPrivate(directory, "." + target.getFileName() + ".");
            BackupManifest manifest;
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 GZIPOutputStream gzip = new GZIPOutputStream(
                         new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16), 1 << 16)) {
                OutputStream out = new BufferedOutputStream(gzip, 1 << 16);
                String source = database.describe();
                manifest = database.inTransaction(connection -> snapshot(connection, source, out, progress));
                out.flush();
                gzip.finish();
                gzip.flush();
                channel.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            syncDirectory(directory);
            Map<String, Long> rows = new LinkedHashMap<>();
            manifest.tables().forEach(t -> rows.put(t.name(), t.rows()));
            return new Result(target, Files.size(target), manifest.schemaVersion(), manifest.postgresVersion(),
                    manifest.createdAt(), rows, Duration.ofNanos(System.nanoTime() - started));
        } catch (UncheckedIOException e) {
            throw writeFailed(file, e.getCause());
        } catch (IOException e) {
            throw writeFailed(file, e);
        } finally {
            if (tmp != null && !renamed) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a hidden .tmp file is left; it is never taken for a backup
                }
            }
        }
    }

    private static BackupManifest snapshot(Connection connection, String source, OutputStream out,
                                           CopyProgress progress) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // the first statement of the transaction; its snapshot is taken at the first query
            statement.execute("set transaction isolation level repeatable read, read only");
            statement.execute(SESSION + "; set local statement_timeout = 0"); // one COPY may take long
            String createdAt;
            String postgres;
            try (ResultSet rs = statement.executeQuery("select now(), current_setting('server_version')")) {
                rs.next();
                createdAt = rs.getObject(1, OffsetDateTime.class).toInstant().toString();
                postgres = rs.getString(2);
            }
            String schemaVersion = schemaVersion(connection);
            if (Database.NO_SCHEMA.equals(schemaVersion)) {
                throw MailerException.usage("The database (" + source + ") holds no mailer schema yet:"
                        + " there is nothing to back up.");
            }
            Catalogue catalogue = Catalogue.read(connection);
            List<BackupManifest.Table> tables = new ArrayList<>();
            for (Catalogue.Table table : catalogue.tables()) {
                try (ResultSet rs = statement.executeQuery("select count(*) from " + catalogue.qualified(table))) {
                    rs.next();
                    tables.add(new BackupManifest.Table(table.name(), table.columns(), rs.getLong(1)));
                }
            }
            List<BackupManifest.Sequence> sequences = new ArrayList<>();
            for (String sequence : catalogue.sequences()) {
                try (ResultSet rs = statement.executeQuery("select last_value, is_called from "
                        + catalogue.qualified(sequence))) {
                    rs.next();
                    sequences.add(new BackupManifest.Sequence(sequence, rs.getLong(1), rs.getBoolean(2)));
                }
            }
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, BackupFormat.VERSION,
                    DatabaseBackup.class.getPackage().getImplementationVersion(), schemaVersion, postgres,
                    createdAt, source, List.copyOf(tables), List.copyOf(sequences));
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            try {
                BackupFormat.writeLine(out, BackupFormat.MAGIC + " " + BackupFormat.VERSION);
                BackupFormat.writeLine(out, BackupFile.JSON.writeValueAsString(manifest));
                long before = 0;
                for (BackupManifest.Table table : tables) {
                    BackupFormat.writeLine(out, BackupFormat.TABLE + table.name());
                    progress.update(table.name(), before, 0);
                    long base = before;
                    BackupFormat.ChunkedOutput data = new BackupFormat.ChunkedOutput(out,
                            bytes -> progress.update(table.name(), base + bytes, 0));
                    long rows = copy.copyOut("copy " + catalogue.qualified(table.name()) + " ("
                            + Catalogue.columnList(table.columns()) + ") to stdout (format csv)", data);
                    before += data.end();
                    if (rows != table.rows()) {
                        throw new MailerException(ErrorKind.INTERNAL, "Table " + table.name() + " gave "
                                + rows + " rows to COPY but counted " + table.rows() + " in the same snapshot.");
                    }
                }
                BackupFormat.writeLine(out, BackupFormat.END);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return manifest;
        }
    }

    /** The latest successful versioned migration in Flyway's history, read in the snapshot. */
    private static String schemaVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet exists = statement.executeQuery("select to_regclass(quote_ident(current_schema()) || '.'"
                     + " || quote_ident('" + Database.SCHEMA_HISTORY_TABLE + "')) is not null")) {
            exists.next();
            if (!exists.getBoolean(1)) {
                return Database.NO_SCHEMA;
            }
        }
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select version from " + Catalogue.identifier(
                     Database.SCHEMA_HISTORY_TABLE) + " where success and version is not null"
                     + " order by installed_rank desc limit 1")) {
            return rs.next() ? rs.getString(1) : Database.NO_SCHEMA;
        }
    }

    /** A new hidden file beside the backup, mode 0600 from the start (never readable by others, even briefly). */
    private static Path createPrivate(Path directory, String prefix) throws IOException {
        try {
            return Files.createTempFile(directory, prefix, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createTempFile(directory, prefix, ".tmp");
        }
    }

    /** So that the rename itself survives a power cut; not every system lets a directory be synced. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the file is complete and synced; only its name might not survive a crash this instant
        }
    }

    private static MailerException writeFailed(Path file, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : e.getMessage();
        return new MailerException(e instanceof AccessDeniedException ? ErrorKind.USAGE : ErrorKind.INTERNAL,
                "Cannot write the backup to " + file + ": " + why + ".", e);
    }
}
