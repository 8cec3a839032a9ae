package dev.mailer.store.embedded;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The right to start, join or stop the embedded server of one home ({@code postgres/lock}), held
 * for the moment that takes, by one mailer process at a time and within it by one thread. The OS
 * releases the lock when the process dies, however it dies, so a lock is never stale; the others
 * wait for it.
 */
final class HomeLock implements AutoCloseable {
    /** Between threads of this JVM: the file lock is the process's, not the thread's. */
    private static final ConcurrentMap<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();
    private static final long POLL_MILLIS = 25;

    private final ReentrantLock local;
    private final FileChannel channel;

    private HomeLock(ReentrantLock local, FileChannel channel) {
        this.local = local;
        this.channel = channel;
    }

    /**
     * Waits up to {@code maxWait} for the lock.
     *
     * @throws MailerException (busy) when another process held it all that time
     */
    static HomeLock acquire(Path lockFile, Path home, Duration maxWait) {
        Path file = canonical(lockFile);
        long deadline = System.nanoTime() + maxWait.toNanos();
        ReentrantLock local = IN_THIS_JVM.computeIfAbsent(file, f -> new ReentrantLock());
        try {
            if (!local.tryLock(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw busy(home, maxWait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(home, maxWait);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    FileTrees.ownerOnlyFile());
            while (true) {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return new HomeLock(local, channel);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw busy(home, maxWait);
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(channel);
            local.unlock();
            throw cannotLock(home, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            local.unlock();
            throw busy(home, maxWait);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            local.unlock();
            throw e;
        }
    }

    /** One name per file, so that a home reached through a symbolic link is still recognised. */
    static Path canonical(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
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

    private static MailerException busy(Path home, Duration waited) {
        return new MailerException(ErrorKind.BUSY, "Another mailer process has been starting or stopping the"
                + " embedded database in " + home + " for " + waited.toSeconds() + " s; if it is stuck (stopped"
                + " with SIGSTOP?), end it, then run this again.");
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
            local.unlock();
        }
    }
}
