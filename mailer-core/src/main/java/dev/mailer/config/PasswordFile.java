package dev.mailer.config;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A password kept in a file of its own (mode 0600, a systemd credential, a container secret), so that
 * it is on no command line: the file holds the password alone, its trailing line end is not part of it.
 */
public final class PasswordFile {
    /** A password is a line; a file much larger is the wrong file (a key, a log, /dev/zero). */
    public static final int MAX_BYTES = 4096;

    private PasswordFile() {
    }

    /**
     * Reads the password.
     *
     * @param what    whose password, for the sentence: "SMTP", "database", "mailbox"
     * @param givenBy where the path was given, e.g. "--smtp-password-file" or "smtp-password-file in mailer.yaml"
     * @throws MailerException (config) naming the file and what is wrong with it, never its content
     */
    public static String read(Path file, String what, String givenBy) {
        String where = "The " + what + " password file " + file + " (" + givenBy + ")";
        if (Files.isDirectory(file)) {
            throw problem(where + " is a directory; give the file that holds the password.");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw problem(where + " does not exist.");
        } catch (AccessDeniedException e) {
            throw problem(where + " cannot be read: permission denied (it must be readable by the user mailer runs as).");
        } catch (IOException e) {
            throw problem(where + " cannot be read: " + e.getClass().getSimpleName() + ".");
        }
        if (bytes.length > MAX_BYTES) {
            throw problem(where + " is larger than " + MAX_BYTES + " bytes; it must hold the password alone.");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw problem(where + " is not UTF-8 text.");
        }
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        String password = text.substring(0, end);
        if (password.isEmpty()) {
            throw problem(where + " is empty.");
        }
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw problem(where + " has more than one line; it must hold the password alone.");
        }
        return password;
    }

    private static MailerException problem(String sentence) {
        return MailerException.of(ErrorKind.CONFIG, sentence);
    }
}
