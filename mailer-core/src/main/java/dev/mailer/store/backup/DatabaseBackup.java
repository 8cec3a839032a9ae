package dev.mailer.store.backup;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.Database;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A logical backup over JDBC ({@code mailer db backup}): the embedded server brings no pg_dump,
 * so the rows of every application table are written by {@code COPY … TO STDOUT} into one zip
 * archive, with a manifest, all read in one read-only REPEATABLE READ transaction: one consistent
 * snapshot while other processes go on writing. Flyway's history is not data: the schema
 * version is in the manifest, and a restore migrates the empty target to it.
 *
 * <p>CSV rather than COPY's binary format: the binary format is PostgreSQL's internal
 * representation per type (arrays and records even carry type OIDs) and is documented as less
 * portable across server versions and architectures, while CSV restores into any PostgreSQL
 * mailer supports (the embedded 17 into your own 15, say), keeps NULL apart from the empty string
 * (unquoted empty vs {@code ""}), and can be read with unzip and any spreadsheet. Deflated, it is
 * hardly larger. The session's output settings are fixed for the snapshot (UTC, ISO dates, hex
 * bytea) so that a file does not depend on the client's time zone.
 */
public final class DatabaseBackup {
    /** What was written. */
    public record Result(Path file, String schemaVersion, String createdAt, Map<String, Long> rows) {
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static final String COPY_FORMAT = "csv";
    static final String SESSION = "set local timezone = 'UTC'; set local datestyle = 'ISO, YMD';"
            + " set local intervalstyle = 'postgres'; set local bytea_output = 'hex'";

    private DatabaseBackup() {
    }

    /** Writes a backup of {@code database} to {@code file} (through {@code file.tmp}, renamed at the end). */
    public static Result write(Database database, Path file) {
        Path target = file.toAbsolutePath().normalize();
        Path directory = target.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw MailerException.usage("Cannot write the backup to " + file + ": the directory "
                    + directory + " does not exist.");
        }
        if (Files.isDirectory(target)) {
            throw MailerException.usage("Cannot write the backup to " + file + ": it is a directory.");
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        boolean done = false;
        try {
            Files.deleteIfExists(tmp); // left by a backup that was killed
            try (FileChannel channel = createPrivate(tmp)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                ZipOutputStream zip = new ZipOutputStream(out);
                BackupManifest manifest = database.withConnection(connection -> snapshot(connection, zip));
                zip.putNextEntry(new ZipEntry(BackupManifest.ENTRY));
                zip.write(BackupFile.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
                zip.closeEntry();
                zip.finish();
                out.flush();
                channel.force(true);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                done = true;
                Map<String, Long> rows = new LinkedHashMap<>();
                manifest.tables().forEach(t -> rows.put(t.name(), t.rows()));
                return new Result(target, manifest.schemaVersion(), manifest.createdAt(), rows);
            }
        } catch (UncheckedIOException e) {
            throw writeFailed(file, e.getCause());
        } catch (IOException e) {
            throw writeFailed(file, e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the next backup removes it
                }
            }
        }
    }

    private static BackupManifest snapshot(Connection connection, ZipOutputStream zip) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            // first statement of the transaction: the snapshot is taken at its first query
            statement.execute("set transaction isolation level repeatable read, read only");
            statement.execute(SESSION);
            String createdAt;
            String postgres;
            try (ResultSet rs = statement.executeQuery("select now(), current_setting('server_version')")) {
                rs.next();
                createdAt = rs.getObject(1, OffsetDateTime.class).toInstant().toString();
                postgres = rs.getString(2);
            }
            String schemaVersion = schemaVersion(connection);
            Catalogue catalogue = Catalogue.read(connection);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            List<BackupManifest.TableEntry> tables = new ArrayList<>();
            for (Catalogue.Table table : catalogue.tables()) {
                String entryName = "data/" + table.name() + ".csv";
                MessageDigest digest = BackupFile.newDigest();
                long rows;
                try {
                    zip.putNextEntry(new ZipEntry(entryName));
                    OutputStream data = new DigestOutputStream(new FilterOutputStream(zip) {
                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            out.write(b, off, len);
                        }

                        @Override
                        public void close() throws IOException {
                            flush(); // the entry, not the archive
                        }
                    }, digest);
                    rows = copy.copyOut("copy " + catalogue.qualified(table) + " ("
                            + Catalogue.columnList(table.columns()) + ") to stdout (format csv, header true)", data);
                    data.flush();
                    zip.closeEntry();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                tables.add(new BackupManifest.TableEntry(table.name(), entryName, table.columns(), rows,
                        HexFormat.of().formatHex(digest.digest())));
            }
            return new BackupManifest(BackupManifest.FORMAT, BackupManifest.FORMAT_VERSION, schemaVersion, createdAt,
                    postgres, COPY_FORMAT, List.copyOf(tables));
        } finally {
            connection.rollback(); // read only: nothing to keep
            connection.setAutoCommit(autoCommit);
        }
    }

    /** The latest successful versioned migration in Flyway's history, read in the snapshot. */
    static String schemaVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select version from " + Catalogue.identifier(
                     Database.SCHEMA_HISTORY_TABLE) + " where success and version is not null"
                     + " order by installed_rank desc limit 1")) {
            return rs.next() ? rs.getString(1) : "none";
        }
    }

    private static FileChannel createPrivate(Path tmp) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return FileChannel.open(tmp, options,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            return FileChannel.open(tmp, options);
        }
    }

    private static MailerException writeFailed(Path file, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such directory"
                : e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : e.getMessage();
        return new MailerException(e instanceof AccessDeniedException ? ErrorKind.USAGE : ErrorKind.INTERNAL,
                "Cannot write the backup to " + file + ": " + why + ".", e);
    }
}
