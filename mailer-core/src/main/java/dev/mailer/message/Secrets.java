package dev.mailer.message;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signing secret (SPEC §2, §7): taken from {@code MAILER_SECRET} when that is set, otherwise
 * read from {@code $MAILER_HOME/secret}, which is created on first use with owner-only
 * permissions. No message here ever shows the secret.
 */
public final class Secrets {

    /** The name of the secret file inside {@code MAILER_HOME}. */
    public static final String FILE_NAME = "secret";
    /** The shortest {@code MAILER_SECRET} accepted, in characters. */
    public static final int MIN_ENV_CHARS = 32;

    static final int SECRET_BYTES = 32;
    private static final int MAX_FILE_BYTES = 1024;
    private static final byte[] ENV_LABEL = "dev.mailer MAILER_SECRET v1".getBytes(StandardCharsets.US_ASCII);
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private Secrets() {
    }

    /**
     * @param mailerHome    {@code MAILER_HOME}; created (owner-only) when missing
     * @param secretFromEnv the value of {@code MAILER_SECRET}, or {@code null} (an empty value
     *                      counts as not set)
     * @return at least 32 bytes of key material for {@link TokenSigner}
     * @throws MailerException (usage) for a short {@code MAILER_SECRET}, or a secret file that
     *                         cannot be created or read, is malformed, or is open to other users
     */
    public static byte[] load(Path mailerHome, String secretFromEnv) {
        if (secretFromEnv != null && !secretFromEnv.isEmpty()) {
            return fromEnv(secretFromEnv);
        }
        Path file = mailerHome.resolve(FILE_NAME);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            create(mailerHome, file);
        }
        return read(file);
    }

    /**
     * As {@link #load}, for commands that only read ({@code feedback parse}): nothing is created,
     * neither {@code MAILER_HOME} nor the secret file.
     *
     * @return the secret, or empty when {@code MAILER_SECRET} is not set and there is no secret file
     */
    public static Optional<byte[]> loadExisting(Path mailerHome, String secretFromEnv) {
        if (secretFromEnv != null && !secretFromEnv.isEmpty()) {
            return Optional.of(fromEnv(secretFromEnv));
        }
        Path file = mailerHome.resolve(FILE_NAME);
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? Optional.of(read(file)) : Optional.empty();
    }

    private static byte[] fromEnv(String secret) {
        if (secret.length() < MIN_ENV_CHARS) {
            throw MailerException.of(ErrorKind.CONFIG, "MAILER_SECRET is too short: it must be at least " + MIN_ENV_CHARS
                    + " characters (for example the output of `openssl rand -base64 32`).");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(ENV_LABEL);
        } catch (GeneralSecurityException e) {
            throw new MailerException(ErrorKind.INTERNAL, "this Java runtime lacks HmacSHA256", e);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void create(Path home, Path file) {
        try {
            if (!Files.isDirectory(home)) {
                if (posix(home)) {
                    Files.createDirectories(home, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                } else {
                    Files.createDirectories(home);
                }
            }
        } catch (IOException e) {
            throw MailerException.of(ErrorKind.CONFIG, "Cannot create MAILER_HOME " + home + " (" + reason(e)
                    + "); set MAILER_HOME to a directory you can write to.");
        }
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        byte[] text = (Base64.getEncoder().encodeToString(secret) + "\n").getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(secret, (byte) 0);
        Path temp = null;
        try {
            // owner-only from the first byte: never a moment in which others could open it
            FileAttribute<?>[] attrs = posix(home)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                    : new FileAttribute<?>[0];
            temp = Files.createTempFile(home, ".secret-", ".tmp", attrs);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(text);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            publish(temp, file);
        } catch (FileAlreadyExistsException e) {
            // another process created it first: use theirs
        } catch (IOException e) {
            throw MailerException.of(ErrorKind.CONFIG, "Cannot create the secret file " + file + " (" + reason(e)
                    + "); set MAILER_HOME to a directory you can write to, or set MAILER_SECRET.");
        } finally {
            Arrays.fill(text, (byte) 0);
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a stray temporary file is harmless: it is owner-only
                }
            }
        }
    }

    /**
     * Makes the complete temporary file appear under its final name at once, without ever
     * replacing a secret another process put there first (a rename would replace it, and the
     * other process would then be using a secret that no longer exists): a hard link fails when
     * the name is taken. Where hard links are not supported, a plain move that refuses to replace.
     */
    private static void publish(Path temp, Path file) throws IOException {
        try {
            Files.createLink(file, temp);
        } catch (UnsupportedOperationException e) {
            Files.move(temp, file);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (IOException e) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(file.toString());
            }
            Files.move(temp, file);
        }
    }

    private static byte[] read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw MailerException.of(ErrorKind.CONFIG, "The secret file " + file + " is not a regular file; remove it to have a new"
                    + " secret created, or set MAILER_SECRET.");
        }
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (view != null) {
                Set<PosixFilePermission> perms = view.readAttributes().permissions();
                if (perms.stream().anyMatch(OTHERS::contains)) {
                    throw MailerException.of(ErrorKind.CONFIG, "The secret file " + file + " can be read or changed by other users;"
                            + " run `chmod 600 " + file + "` (and consider replacing the secret).");
                }
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw malformed(file);
            }
            byte[] content = Files.readAllBytes(file);
            try {
                String text = new String(content, StandardCharsets.US_ASCII).strip();
                if (text.isEmpty()) {
                    throw MailerException.of(ErrorKind.CONFIG, "The secret file " + file + " is empty; remove it to have a new"
                            + " secret created (links signed with the old secret stop working), or set MAILER_SECRET.");
                }
                byte[] secret;
                try {
                    secret = Base64.getDecoder().decode(text);
                } catch (IllegalArgumentException e) {
                    throw malformed(file);
                }
                if (secret.length < SECRET_BYTES) {
                    Arrays.fill(secret, (byte) 0);
                    throw malformed(file);
                }
                return secret;
            } finally {
                Arrays.fill(content, (byte) 0);
            }
        } catch (NoSuchFileException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The secret file " + file + " disappeared while being read.");
        } catch (IOException e) {
            throw MailerException.of(ErrorKind.CONFIG, "Cannot read the secret file " + file + " (" + reason(e)
                    + "); it must be readable by the user running mailer, or set MAILER_SECRET.");
        }
    }

    private static MailerException malformed(Path file) {
        return MailerException.of(ErrorKind.CONFIG, "The secret file " + file + " is malformed: it must hold the base64 of at least "
                + SECRET_BYTES + " random bytes; remove it to have a new one created (links signed with the old"
                + " secret stop working), or set MAILER_SECRET.");
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
