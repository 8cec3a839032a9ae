package dev.mailer.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

    @TempDir
    Path temp;

    @Test
    void createsAnOwnerOnlyFileOnceAndReturnsTheSameBytes() throws Exception {
        Path home = temp.resolve("home").resolve(".mailer");
        byte[] first = Secrets.load(home, null);
        Path file = home.resolve("secret");
        assertThat(first).hasSize(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).isEqualTo(first);
        long modified = Files.getLastModifiedTime(file).toMillis();

        byte[] second = Secrets.load(home, "");
        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);
        try (Stream<Path> files = Files.list(home)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("secret");
        }
        // the tokens of one run verify in the next
        Token token = new Token(Token.Kind.UNSUBSCRIBE, 1, 2, null, 20_000);
        assertThat(new TokenSigner(second).verify(new TokenSigner(first).sign(token))).contains(token);
    }

    @Test
    void anotherHomeGetsAnotherSecret() {
        assertThat(Secrets.load(temp.resolve("a"), null)).isNotEqualTo(Secrets.load(temp.resolve("b"), null));
    }

    @Test
    void processesRacingForTheFirstSecretAllEndWithTheSameOne() throws Exception {
        Path home = temp.resolve("race");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit((Callable<byte[]>) () -> Secrets.load(home, null)));
            }
            byte[] onFile = Secrets.load(home, null);
            for (Future<byte[]> f : results) {
                assertThat(f.get()).isEqualTo(onFile);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> files = Files.list(home)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("secret");
        }
    }

    @Test
    void environmentSecretWinsAndIsStable() {
        Path home = temp.resolve("env");
        String env = "correct horse battery staple, twice as long";
        byte[] key = Secrets.load(home, env);
        assertThat(key).hasSizeGreaterThanOrEqualTo(32).isEqualTo(Secrets.load(home, env));
        assertThat(key).isNotEqualTo(env.getBytes(StandardCharsets.UTF_8));
        assertThat(Secrets.load(home, env + "!")).isNotEqualTo(key);
        assertThat(home).doesNotExist();
    }

    @Test
    void shortEnvironmentSecretIsAUsageError() {
        String shortSecret = "only-31-characters-long-secret!";
        assertThat(shortSecret).hasSize(31);
        assertThatThrownBy(() -> Secrets.load(temp, shortSecret))
                .isInstanceOf(MailerException.class)
                .satisfies(e -> assertThat(((MailerException) e).kind()).isEqualTo(ErrorKind.CONFIG))
                .hasMessageContaining("MAILER_SECRET")
                .hasMessageContaining("32")
                .hasMessageNotContaining(shortSecret);
    }

    @Test
    void worldReadableFileIsAUsageErrorAskingForChmod600() throws Exception {
        Path home = temp.resolve("open");
        byte[] secret = Secrets.load(home, null);
        Path file = home.resolve("secret");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String content = Files.readString(file).strip();
        assertThatThrownBy(() -> Secrets.load(home, null))
                .isInstanceOf(MailerException.class)
                .satisfies(e -> assertThat(((MailerException) e).kind()).isEqualTo(ErrorKind.CONFIG))
                .hasMessageContaining("chmod 600")
                .hasMessageContaining(file.toString())
                .hasMessageNotContaining(content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> Secrets.load(home, null)).hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(Secrets.load(home, null)).isEqualTo(secret);
    }

    @Test
    void emptyOrMalformedFileIsAUsageErrorNamingTheFile() throws Exception {
        Path home = temp.resolve("bad");
        Files.createDirectories(home);
        Path file = home.resolve("secret");
        for (String content : new String[] {"", "\n", "not base64 at all!!", Base64.getEncoder().encodeToString(new byte[16]),
                "x".repeat(5000)}) {
            Files.writeString(file, content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            assertThatThrownBy(() -> Secrets.load(home, null))
                    .as(content)
                    .isInstanceOf(MailerException.class)
                    .satisfies(e -> assertThat(((MailerException) e).kind()).isEqualTo(ErrorKind.CONFIG))
                    .hasMessageContaining(file.toString());
        }
        assertThat(Files.readString(file)).isEqualTo("x".repeat(5000));
    }

    @Test
    void aDirectoryInPlaceOfTheFileIsAUsageError() throws Exception {
        Path home = temp.resolve("dir");
        Files.createDirectories(home.resolve("secret"));
        assertThatThrownBy(() -> Secrets.load(home, null))
                .isInstanceOf(MailerException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void unwritableHomeIsAUsageError() throws Exception {
        Path blocker = temp.resolve("file-not-dir");
        Files.writeString(blocker, "x");
        assertThatThrownBy(() -> Secrets.load(blocker.resolve("home"), null))
                .isInstanceOf(MailerException.class)
                .satisfies(e -> assertThat(((MailerException) e).kind()).isEqualTo(ErrorKind.CONFIG))
                .hasMessageContaining("MAILER_HOME");
    }
}
