package dev.mailer.store.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A backup file for a restore, read through once when opened, before anything touches a database:
 * its magic line, its manifest, every table's data to the end of the gzip stream (which checks
 * the stream's CRC and length). Whatever is wrong with it is one sentence of kind
 * {@link ErrorKind#INPUT_FILE}: not a mailer backup, a format this build cannot read, cut short,
 * or damaged.
 */
public final class BackupFile {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final BackupManifest manifest;
    private final long size;
    private final long dataBytes;

    private BackupFile(Path path, BackupManifest manifest, long size, long dataBytes) {
        this.path = path;
        this.manifest = manifest;
        this.size = size;
        this.dataBytes = dataBytes;
    }

    /** Opens the backup at {@code path} and checks it through. */
    public static BackupFile open(Path path) {
        if (Files.isDirectory(path)) {
            throw input(path + " is a directory, not a backup file.", null);
        }
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw input("There is no backup file " + path + ".", e);
        } catch (IOException e) {
            throw input("Cannot read the backup file " + path + ": " + e.getMessage() + ".", e);
        }
        long[] dataBytes = {0};
        byte[] buffer = new byte[BackupFormat.MAX_CHUNK];
        BackupManifest manifest = read(path, null, (table, chunks) -> {
            for (int n = chunks.next(buffer); n > 0; n = chunks.next(buffer)) {
                dataBytes[0] += n;
            }
        });
        return new BackupFile(path, manifest, size, dataBytes[0]);
    }

    public Path path() {
        return path;
    }

    public BackupManifest manifest() {
        return manifest;
    }

    /** The file's size on disk (compressed). */
    public long size() {
        return size;
    }

    /** The tables' data, uncompressed. */
    public long dataBytes() {
        return dataBytes;
    }

    /** Where one table's data is loaded. */
    @FunctionalInterface
    interface TableSink {
        void table(BackupManifest.Table table, Chunks chunks) throws IOException, SQLException;
    }

    /** One table's data, a chunk at a time. */
    @FunctionalInterface
    interface Chunks {
        /** Reads the next chunk into {@code buffer} ({@link BackupFormat#MAX_CHUNK} long); 0 at the table's end. */
        int next(byte[] buffer) throws IOException;
    }

    /** Reads the file again from the start, giving each table's data to {@code sink} in the file's order. */
    void load(TableSink sink) throws SQLException {
        try {
            read(path, manifest, sink);
        } catch (SqlFailure failure) {
            throw failure.getCause();
        }
    }

    /**
     * Reads the whole file, checking each part; {@code expected} is the manifest read before (null
     * the first time), which a second reading must find again.
     */
    private static BackupManifest read(Path path, BackupManifest expected, TableSink sink) {
        try (InputStream file = Files.newInputStream(path); InputStream in = gunzip(path, file)) {
            BackupManifest manifest = header(path, in);
            if (expected != null && !expected.equals(manifest)) {
                throw input("The backup file " + path + " changed while it was being restored; nothing was restored.",
                        null);
            }
            Set<String> seen = new HashSet<>();
            for (BackupManifest.Table table : manifest.tables()) {
                String line = BackupFormat.readLine(in, BackupFormat.MAX_LINE);
                if (!line.equals(BackupFormat.TABLE + table.name())) {
                    throw new BackupFormat.Malformed("'" + shorten(line) + "' where table " + table.name() + " begins");
                }
                if (!seen.add(table.name())) {
                    throw new BackupFormat.Malformed("table " + table.name() + " twice");
                }
                boolean[] ended = {false};
                sink.table(table, buffer -> {
                    if (ended[0]) {
                        return 0;
                    }
                    int n = BackupFormat.readChunk(in, buffer);
                    ended[0] = n == 0;
                    return n;
                });
                if (!ended[0]) {
                    throw new IllegalStateException("table " + table.name() + " was not read to its end");
                }
            }
            String end = BackupFormat.readLine(in, BackupFormat.MAX_LINE);
            if (!end.equals(BackupFormat.END)) {
                throw new BackupFormat.Malformed("'" + shorten(end) + "' after the last table");
            }
            if (in.read() >= 0) {
                throw new BackupFormat.Malformed("more data after its end");
            }
            return manifest;
        } catch (NoSuchFileException e) {
            throw input("There is no backup file " + path + ".", e);
        } catch (AccessDeniedException e) {
            throw input("Cannot read the backup file " + path + ": permission denied.", e);
        } catch (EOFException e) {
            throw input("The backup file " + path + " is incomplete (" + e.getMessage()
                    + "; was it cut short while being copied?); nothing was restored.", e);
        } catch (ZipException e) {
            throw damaged(path, "its compressed data is corrupt: " + e.getMessage(), e);
        } catch (BackupFormat.Malformed e) {
            throw damaged(path, "it holds " + e.getMessage(), e);
        } catch (IOException e) {
            throw input("Cannot read the backup file " + path + ": " + e.getMessage() + ".", e);
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    private static InputStream gunzip(Path path, InputStream file) throws IOException {
        try {
            return new BufferedInputStream(new GZIPInputStream(file, 1 << 16), 1 << 16);
        } catch (ZipException | EOFException notGzip) {
            throw notABackup(path, "not a gzip file", notGzip);
        }
    }

    /** The magic line and the manifest. */
    private static BackupManifest header(Path path, InputStream in) throws IOException {
        String magic;
        try {
            magic = BackupFormat.readLine(in, BackupFormat.MAX_LINE);
        } catch (BackupFormat.Malformed | EOFException e) {
            throw notABackup(path, null, e);
        }
        String[] words = magic.split(" ");
        if (words.length != 2 || !words[0].equals(BackupFormat.MAGIC)) {
            throw notABackup(path, null, null);
        }
        if (!words[1].equals(Integer.toString(BackupFormat.VERSION))) {
            throw input(path + " is a mailer backup of format " + shorten(words[1]) + ", which this build of mailer"
                    + " cannot read (it reads format " + BackupFormat.VERSION + "); restore it with a newer mailer.",
                    null);
        }
        String json = BackupFormat.readLine(in, BackupFormat.MAX_MANIFEST);
        BackupManifest manifest;
        try {
            manifest = JSON.readValue(json, BackupManifest.class);
        } catch (JsonProcessingException e) {
            throw new BackupFormat.Malformed("a manifest that is not valid JSON");
        }
        if (manifest == null || !BackupManifest.FORMAT.equals(manifest.format())
                || manifest.formatVersion() != BackupFormat.VERSION || manifest.schemaVersion() == null
                || manifest.tables() == null || manifest.sequences() == null
                || manifest.tables().stream().anyMatch(t -> t == null || t.name() == null || t.columns() == null
                        || t.columns().isEmpty() || t.rows() < 0)
                || manifest.sequences().stream().anyMatch(s -> s == null || s.name() == null)) {
            throw new BackupFormat.Malformed("a manifest without the parts a backup needs");
        }
        return manifest;
    }

    /** A database failure met while loading, carried out of the reading to {@link #load}. */
    private static final class SqlFailure extends RuntimeException {
        SqlFailure(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    private static MailerException notABackup(Path path, String why, Exception cause) {
        return input(path + " is not a mailer backup (" + (why == null ? "" : why + "; ")
                + "backups are made by 'mailer db backup').", cause);
    }

    private static MailerException damaged(Path path, String why, Exception cause) {
        return input("The backup file " + path + " is damaged (" + why + ") and cannot be restored.", cause);
    }

    private static MailerException input(String message, Exception cause) {
        return new MailerException(ErrorKind.INPUT_FILE, message, cause);
    }
}
