package dev.mailer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileTest {
    @TempDir
    Path dir;

    private String read(String content) throws IOException {
        return PasswordFile.read(Files.writeString(dir.resolve("pw"), content), "SMTP", "--smtp-password-file");
    }

    private String error(Path file) {
        try {
            PasswordFile.read(file, "SMTP", "smtp-password-file in mailer.yaml");
        } catch (MailerException e) {
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG);
            return e.getMessage();
        }
        throw new AssertionError("expected a MailerException");
    }

    @Test
    void theTrailingLineEndIsNotPartOfThePassword() throws IOException {
        assertThat(read("Zq7Hw,Vx9 Kp\n")).isEqualTo("Zq7Hw,Vx9 Kp");
        assertThat(read("Zq7Hw,Vx9 Kp\r\n")).isEqualTo("Zq7Hw,Vx9 Kp");
        assertThat(read("Zq7Hw,Vx9 Kp ")).as("spaces are the password's").isEqualTo("Zq7Hw,Vx9 Kp ");
        assertThat(read("hasło\n")).isEqualTo("hasło");
    }

    @Test
    void aFileThatCannotBeThePasswordIsOneSentenceNamingItNeverItsContent() throws IOException {
        Path missing = dir.resolve("missing.pw");
        assertThat(error(missing)).isEqualTo("The SMTP password file " + missing
                + " (smtp-password-file in mailer.yaml) does not exist.");
        assertThat(error(dir)).endsWith("is a directory; give the file that holds the password.");
        assertThat(error(Files.writeString(dir.resolve("empty"), "\n"))).endsWith(" is empty.");
        assertThat(error(Files.writeString(dir.resolve("two"), "first-secret\nsecond\n")))
                .endsWith("has more than one line; it must hold the password alone.").doesNotContain("first-secret");
        assertThat(error(Files.writeString(dir.resolve("big"), "x".repeat(5000)))).contains("larger than 4096 bytes");
        Path locked = Files.writeString(dir.resolve("locked"), "secret-2026\n");
        if (locked.toFile().setReadable(false) && !Files.isReadable(locked)) { // not when the tests run as root
            assertThat(error(locked)).contains("cannot be read: permission denied");
        }
    }
}
