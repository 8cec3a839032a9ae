package dev.mailer.store.embedded;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive ownership of one embedded database ({@code postgres/lock}) by one process, and within
 * it by one {@link EmbeddedPostgres}. The OS releases the lock when the process dies, however it
 * dies, so a lock is never stale.
 */
final class HomeLock implements AutoCloseable {
    /**
     * Lock files this JVM holds. Checked before the file is even opened: POSIX drops all of a
     * process's locks on a file when any descriptor of it is closed, so a second instance that
     * merely opened and closed the file would silently release the first one's lock.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;

    private HomeLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    static HomeLock acquire(Path lockFile, Path home) {
        Path file = canonical(lockFile);
        if (!HELD.add(file)) {
            throw busy(home);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    FileTrees.ownerOnlyFile());
        } catch (IOException | RuntimeException e) {
            HELD.remove(file);
            throw cannotLock(home, e);
        }
        boolean acquired = false;
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw busy(home);
            }
            acquired = true;
            return new HomeLock(file, channel);
        } catch (OverlappingFileLockException e) {
            // Locked in this JVM by code other than HomeLock; closing our channel would drop that
            // lock (see HELD), so this one descriptor is deliberately left open.
            channel = null;
            throw busy(home);
        } catch (IOException e) {
            throw cannotLock(home, e);
        } finally {
            if (!acquired) {
                closeQuietly(channel);
                HELD.remove(file);
            }
        }
    }

    /** One name per file, so that a home reached through a symbolic link is still recognised. */
    private static Path canonical(Path lockFile) {
        Path absolute = lockFile.toAbsolutePath().normalize();
        try {
            return absolute.getParent().toRealPath().resolve(absolute.getFileName());
        } catch (IOException e) {
            return absolute;
        }
    }

    private static MailerException cannotLock(Path home, Exception e) {
        String reason = e instanceof IOException io ? FileTrees.describe(io) : String.valueOf(e.getMessage());
        return new MailerException(ErrorKind.INTERNAL, "Could not lock the embedded database in "
                + home + ": " + reason + ".", e);
    }

    private static MailerException busy(Path home) {
        return new MailerException(ErrorKind.BUSY, "The embedded database in " + home
                + " is in use by another mailer process; wait for it to finish, or run every mailer"
                + " against one PostgreSQL server with --db or MAILER_DB_URL.");
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing is held through a channel that failed to lock
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing releases the lock even when close reports an error
        } finally {
            HELD.remove(file);
        }
    }
}
