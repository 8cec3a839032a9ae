package dev.mailer.store.embedded;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server programs bundled as a {@code .txz} in the zonky binaries jars, and their
 * one-time unpacking into {@code $MAILER_HOME/postgres/bin-<version>-<arch>/}.
 */
final class PostgresBinaries {
    public static final String VERSION = "17.5.0";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);
    private static final String UNPACKING_SUFFIX = ".unpacking-";

    private final String arch;
    private final String resource;

    private PostgresBinaries(String arch, String resource) {
        this.arch = arch;
        this.resource = resource;
    }

    static PostgresBinaries forCurrentPlatform() {
        return forPlatform(System.getProperty("os.name", "?"), System.getProperty("os.arch", "?"));
    }

    static PostgresBinaries forPlatform(String osName, String osArch) {
        if (osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            switch (osArch.toLowerCase(Locale.ROOT)) {
                case "amd64", "x86_64":
                    return new PostgresBinaries("amd64", "postgres-linux-x86_64.txz");
                case "aarch64", "arm64":
                    return new PostgresBinaries("arm64v8", "postgres-linux-arm_64.txz");
                default:
                    break;
            }
        }
        throw new MailerException(ErrorKind.USAGE, "No embedded PostgreSQL is available for "
                + osName + "/" + osArch
                + "; point mailer at a PostgreSQL server with --db or MAILER_DB_URL.");
    }

    String directoryName() {
        return "bin-" + VERSION + "-" + arch;
    }

    /**
     * Returns the installation directory (with {@code bin/}, {@code lib/}, {@code share/}),
     * unpacking it first if needed. The caller holds the home lock, so no other mailer unpacks
     * into the same place at the same time.
     */
    Path install(Path postgresDir) {
        Path target = postgresDir.resolve(directoryName());
        // The directory only ever appears by an atomic rename of a complete unpacking.
        if (Files.isDirectory(target)) {
            return target;
        }
        try {
            deleteAbandonedUnpackings(postgresDir);
            long started = System.nanoTime();
            Path temp = Files.createTempDirectory(postgresDir, directoryName() + UNPACKING_SUFFIX);
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
                unpack(temp);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                    // Someone else finished first (only possible without our lock); theirs is as good.
                }
            } finally {
                FileTrees.deleteIfExists(temp);
            }
            LOG.debug("Unpacked PostgreSQL {} into {} in {} ms", VERSION, target,
                    (System.nanoTime() - started) / 1_000_000);
            return target;
        } catch (IOException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not unpack the embedded PostgreSQL into "
                    + target + ": " + FileTrees.describe(e) + ".", e);
        }
    }

    private void deleteAbandonedUnpackings(Path postgresDir) throws IOException {
        try (DirectoryStream<Path> leftovers =
                Files.newDirectoryStream(postgresDir, directoryName() + UNPACKING_SUFFIX + "*")) {
            for (Path leftover : leftovers) {
                FileTrees.deleteIfExists(leftover);
            }
        }
    }

    private void unpack(Path into) throws IOException {
        InputStream raw = PostgresBinaries.class.getClassLoader().getResourceAsStream(resource);
        if (raw == null) {
            throw new MailerException(ErrorKind.INTERNAL, "The embedded PostgreSQL binaries ("
                    + resource + ") are missing from mailer's class path; point mailer at a PostgreSQL"
                    + " server with --db or MAILER_DB_URL.");
        }
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZInputStream(new BufferedInputStream(raw, 1 << 16)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path dest = into.resolve(entry.getName()).normalize();
                if (!dest.startsWith(into)) {
                    throw new IOException("archive entry " + entry.getName() + " points outside the directory");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(dest);
                } else {
                    Files.createDirectories(dest.getParent());
                    if (entry.isSymbolicLink()) {
                        // lib/ has libfoo.so -> libfoo.so.N links the programs are linked against
                        Files.createSymbolicLink(dest, Path.of(entry.getLinkName()));
                        continue;
                    } else if (entry.isLink()) {
                        Files.createLink(dest, into.resolve(entry.getLinkName()).normalize());
                    } else {
                        Files.copy(tar, dest);
                    }
                }
                Files.setPosixFilePermissions(dest, permissions(entry.getMode()));
            }
        } finally {
            raw.close();
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                result.add(bits[i]);
            }
        }
        // We must be able to delete and replace what we unpacked, whatever the archive says.
        result.add(PosixFilePermission.OWNER_READ);
        result.add(PosixFilePermission.OWNER_WRITE);
        return result;
    }
}
