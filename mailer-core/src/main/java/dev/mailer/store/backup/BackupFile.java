package dev.mailer.store.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A backup file opened for a restore and checked through before anything touches a database:
 * a zip archive with a manifest of the mailer-backup format, and every table's data present and
 * matching the SHA-256 the manifest gives. Whatever is wrong with it is one sentence of kind
 * {@link ErrorKind#INPUT_FILE}.
 */
public final class BackupFile implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final ZipFile zip;
    private final BackupManifest manifest;

    private BackupFile(Path path, ZipFile zip, BackupManifest manifest) {
        this.path = path;
        this.zip = zip;
        this.manifest = manifest;
    }

    /** Opens and verifies the backup at {@code path}. */
    public static BackupFile open(Path path) {
        if (Files.isDirectory(path)) {
            throw input(path + " is a directory, not a backup file.");
        }
        boolean zipSignature = startsLikeZip(path);
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw input("There is no backup file " + path + ".", e);
        } catch (IOException e) {
            if (!Files.exists(path)) {
                throw input("There is no backup file " + path + ".", e);
            }
            throw zipSignature ? damaged(path, e) : notABackup(path, e);
        }
        try {
            BackupManifest manifest = readManifest(path, zip);
            verify(path, zip, manifest);
            return new BackupFile(path, zip, manifest);
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public BackupManifest manifest() {
        return manifest;
    }

    /** The data of one table, CSV as written by {@code COPY … TO STDOUT}. */
    InputStream data(BackupManifest.TableEntry table) throws IOException {
        ZipEntry entry = zip.getEntry(table.file());
        if (entry == null) {
            throw damaged(path, null);
        }
        return zip.getInputStream(entry);
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static BackupManifest readManifest(Path path, ZipFile zip) {
        ZipEntry entry = zip.getEntry(BackupManifest.ENTRY);
        if (entry == null) {
            throw notABackup(path, null);
        }
        BackupManifest manifest;
        try (InputStream in = zip.getInputStream(entry)) {
            manifest = JSON.readValue(in, BackupManifest.class);
        } catch (IOException e) {
            throw damaged(path, e);
        }
        if (manifest == null || !BackupManifest.FORMAT.equals(manifest.format()) || manifest.tables() == null) {
            throw notABackup(path, null);
        }
        if (manifest.formatVersion() != BackupManifest.FORMAT_VERSION) {
            throw input(path + " is a mailer backup of format version " + manifest.formatVersion()
                    + ", which this build cannot read (it reads version " + BackupManifest.FORMAT_VERSION + ").");
        }
        return manifest;
    }

    /** Reads every table's data once: a cut-short or altered file is refused before the database is touched. */
    private static void verify(Path path, ZipFile zip, BackupManifest manifest) {
        for (BackupManifest.TableEntry table : manifest.tables()) {
            ZipEntry entry = table.file() == null ? null : zip.getEntry(table.file());
            if (entry == null || table.name() == null || table.columns() == null || table.sha256() == null) {
                throw damaged(path, null);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                if (!sha256(in).equals(table.sha256())) {
                    throw damaged(path, null);
                }
            } catch (IOException e) {
                throw damaged(path, e);
            }
        }
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest digest = newDigest();
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean startsLikeZip(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        } catch (AccessDeniedException e) {
            throw input("Cannot read the backup file " + path + ": permission denied.", e);
        } catch (IOException e) {
            return false;
        }
    }

    private static MailerException notABackup(Path path, Exception cause) {
        return input(path + " is not a mailer backup (made by 'mailer db backup').", cause);
    }

    private static MailerException damaged(Path path, Exception cause) {
        return input("The backup file " + path + " is damaged (cut short or altered) and cannot be restored.", cause);
    }

    private static MailerException input(String message) {
        return new MailerException(ErrorKind.INPUT_FILE, message);
    }

    private static MailerException input(String message, Exception cause) {
        return new MailerException(ErrorKind.INPUT_FILE, message, cause);
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // read only: nothing is lost
        }
    }
}
