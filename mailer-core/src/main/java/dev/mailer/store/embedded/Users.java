package dev.mailer.store.embedded;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who uses the embedded server of one home: a file per user in {@code postgres/users/}, locked by
 * its process for as long as it uses the server. The OS drops the lock of a process that dies,
 * however it dies, so a file nobody holds is a user that is gone. The last user to leave stops
 * the server; a user killed before it could leaves it running for the next one.
 */
public final class Users {
    /** What a user's file says about it (never a command line: those can carry passwords). */
    public record User(long pid, String command, Instant since) {
    }

    /** This JVM's own files: never opened for a check, which would drop their locks (POSIX). */
    private static final Set<Path> MINE = ConcurrentHashMap.newKeySet();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private Users() {
    }

    /** One user's presence; closing it ends the presence. */
    static final class Registration implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;

        private Registration(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(file); // while still locked: nobody takes a half-deleted file for a user
            } catch (IOException ignored) {
                // a file left behind unlocked counts as gone
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing releases the lock even when close reports an error
            } finally {
                MINE.remove(file);
            }
        }
    }

    /** Registers this process (as {@code command}: "serve", "send" …) as a user. Call under the home lock. */
    static Registration register(Path usersDir, String command) {
        long pid = ProcessHandle.current().pid();
        try {
            Files.createDirectories(usersDir, FileTrees.ownerOnlyDir());
            Path file = HomeLock.canonical(usersDir.resolve(pid + "-" + SEQUENCE.incrementAndGet()));
            MINE.add(file);
            FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), FileTrees.ownerOnlyFile());
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IOException("cannot lock " + file);
            }
            String text = pid + "\t" + (command == null ? "mailer" : command) + "\t" + Instant.now() + "\n";
            channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
            return new Registration(file, channel);
        } catch (IOException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not register with the embedded database in "
                    + usersDir.getParent() + ": " + FileTrees.describe(e) + ".", e);
        }
    }

    /**
     * The users alive now, this JVM's included; files of users that are gone are removed. Call
     * under the home lock.
     */
    static List<User> alive(Path usersDir) {
        return alive(usersDir, null);
    }

    /** As {@link #alive(Path)} without the user registered by {@code except} (null: none left out). */
    static List<User> alive(Path usersDir, Registration except) {
        List<User> alive = new ArrayList<>();
        if (!Files.isDirectory(usersDir)) {
            return alive;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(usersDir)) {
            for (Path entry : files) {
                Path file = HomeLock.canonical(entry);
                if (except != null && file.equals(except.file)) {
                    continue;
                }
                if (MINE.contains(file) || heldByAnother(file)) {
                    read(file).ifPresent(alive::add);
                } else {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not read who uses the embedded database in "
                    + usersDir.getParent() + ": " + FileTrees.describe(e) + ".", e);
        }
        return alive;
    }

    private static boolean heldByAnother(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (NoSuchFileException e) {
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }

    private static java.util.Optional<User> read(Path file) {
        try {
            String[] fields = Files.readString(file, StandardCharsets.UTF_8).strip().split("\t");
            if (fields.length < 3) {
                return java.util.Optional.of(new User(pidOf(file), "mailer", null));
            }
            return java.util.Optional.of(new User(Long.parseLong(fields[0]), fields[1], Instant.parse(fields[2])));
        } catch (IOException | RuntimeException e) {
            // just registered and not yet written, or gone meanwhile
            return java.util.Optional.of(new User(pidOf(file), "mailer", null));
        }
    }

    private static long pidOf(Path file) {
        String name = file.getFileName().toString();
        int dash = name.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? name : name.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
