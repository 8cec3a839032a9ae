package dev.mailer.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.TestPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {
    @TempDir
    static Path tempDir;
    /**
     * Shared by most tests: creating a cluster costs seconds, starting one a fraction of a second.
     * Not created up front, so that whichever test runs first also creates the home itself.
     */
    private static Path home;

    @BeforeAll
    static void chooseHome() {
        home = tempDir.resolve("a/b/.mailer");
    }

    private static EmbeddedPostgres start(Path mailerHome) {
        return EmbeddedPostgres.start(mailerHome, EmbeddedPostgres.Options.defaults());
    }

    @Test
    void keepsDataAcrossRestarts() throws SQLException {
        try (EmbeddedPostgres pg = start(home)) {
            assertThat(pg.jdbcUrl()).matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+/mailer");
            assertThat(pg.user()).isEqualTo("mailer");
            assertThat(pg.dataDirectory()).isEqualTo(home.resolve("postgres/data"));
            execute(pg, "CREATE TABLE IF NOT EXISTS survivor (note text)", "DELETE FROM survivor",
                    "INSERT INTO survivor VALUES ('still here')");
        }

        try (EmbeddedPostgres pg = start(home)) {
            assertThat(queryOne(pg, "SELECT note FROM survivor")).isEqualTo("still here");
        }
    }

    @Test
    void closeStopsTheServerAndIsIdempotent() {
        EmbeddedPostgres pg = start(home);
        Path pidFile = pg.dataDirectory().resolve("postmaster.pid");
        assertThat(pidFile).exists();

        pg.close();
        pg.close();

        assertThat(pidFile).doesNotExist();
        assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()))
                .isInstanceOf(SQLException.class);
    }

    @Test
    void aSecondUserOfTheSameHomeSharesTheServerAndTheLastOneToLeaveStopsIt() {
        EmbeddedPostgres first = start(home);
        EmbeddedPostgres second = EmbeddedPostgres.start(home, EmbeddedPostgres.Options.defaults(), "serve");
        Path pidFile = first.dataDirectory().resolve("postmaster.pid");
        try {
            assertThat(second.port()).isEqualTo(first.port());
            assertThat(second.startedHere()).isFalse();
            assertThat(EmbeddedPostgres.status(home, EmbeddedPostgres.Options.defaults()).users())
                    .extracting(Users.User::command).contains("serve");

            first.close();

            assertThat(queryOne(second, "SELECT 'still serving'")).isEqualTo("still serving");
            assertThat(pidFile).exists();
        } finally {
            first.close();
            second.close();
        }
        assertThat(pidFile).as("the last user stopped it").doesNotExist();
        EmbeddedPostgres.Status stopped = EmbeddedPostgres.status(home, EmbeddedPostgres.Options.defaults());
        assertThat(stopped.running()).isFalse();
        assertThat(stopped.users()).isEmpty();
    }

    @Test
    void aServerThatCrashedIsStartedAgainOnItsPortByAUserThatStillNeedsIt() throws Exception {
        try (EmbeddedPostgres pg = start(home)) {
            long pid = Postmaster.pidFrom(pg.dataDirectory().resolve("postmaster.pid")).orElseThrow();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            waitUntil(() -> !Postmaster.isRunning(pid, pg.dataDirectory()));

            assertThat(pg.ensureRunning()).isTrue();

            assertThat(queryOne(pg, "SELECT 'back'")).as("on the same port").isEqualTo("back");
            assertThat(pg.ensureRunning()).as("running: nothing to do").isFalse();
        }
    }

    @Test
    void passwordFileIsOwnerOnlyAndThePasswordIsNeverLogged() throws IOException {
        try (EmbeddedPostgres pg = start(home)) {
            Path passwordFile = home.resolve("postgres/password");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(passwordFile).strip()).isEqualTo(pg.password());
            assertThat(pg.password()).hasSizeGreaterThanOrEqualTo(32);
            assertThat(Files.readString(home.resolve("postgres/server.log"))).doesNotContain(pg.password());
            assertThat(pg.toString()).doesNotContain(pg.password());
        }
    }

    /**
     * A JVM killed with SIGKILL runs no shutdown hook and leaves its server running; the other
     * users go on with it, and the next one to start finds it and uses it rather than starting
     * another. The last one to leave stops it.
     */
    @Test
    void aServerStartedByAProcessThatIsKilledGoesOnServingTheOthers() throws Exception {
        try (EmbeddedPostgres pg = start(home)) {
            execute(pg, "CREATE TABLE IF NOT EXISTS takeover (n int)", "DELETE FROM takeover");
        }

        Process child = new ProcessBuilder(javaExecutable(), "-cp", System.getProperty("java.class.path"),
                LeftRunning.class.getName(), home.toString())
                .redirectErrorStream(true)
                .start();
        long serverPid;
        EmbeddedPostgres joined;
        try {
            List<String> output = new ArrayList<>();
            BufferedReader lines = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null && !line.equals(LeftRunning.READY)) {
                output.add(line);
            }
            assertThat(line).as("child output: %s", output).isEqualTo(LeftRunning.READY);
            serverPid = Postmaster.pidFrom(home.resolve("postgres/data/postmaster.pid")).orElseThrow();
            joined = start(home);
            assertThat(joined.startedHere()).as("the child's server, shared").isFalse();
            assertThat(EmbeddedPostgres.status(home, EmbeddedPostgres.Options.defaults()).users())
                    .extracting(Users.User::pid).contains(child.pid(), ProcessHandle.current().pid());
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        Path dataDir = home.resolve("postgres/data");
        try (EmbeddedPostgres pg = joined) {
            assertThat(Postmaster.isRunning(serverPid, dataDir)).as("the server outlives its starter").isTrue();
            assertThat(queryOne(pg, "SELECT count(*) FROM takeover WHERE n = 42")).isEqualTo("1");
            assertThat(EmbeddedPostgres.status(home, EmbeddedPostgres.Options.defaults()).users())
                    .as("the killed one is gone").extracting(Users.User::pid).doesNotContain(child.pid());
        }
        assertThat(Postmaster.isRunning(serverPid, dataDir)).as("stopped by its last user").isFalse();

        try (EmbeddedPostgres pg = start(home)) {
            assertThat(queryOne(pg, "SELECT count(*) FROM takeover WHERE n = 42")).isEqualTo("1");
        }
    }

    /** The child side of {@link #aServerStartedByAProcessThatIsKilledGoesOnServingTheOthers}. */
    static final class LeftRunning {
        static final String READY = "READY";

        public static void main(String[] args) throws Exception {
            EmbeddedPostgres pg = EmbeddedPostgres.start(Path.of(args[0]), EmbeddedPostgres.Options.defaults());
            // Committed work of the killed process must survive.
            execute(pg, "INSERT INTO takeover VALUES (42)");
            System.out.println(READY);
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waited 20 s").isNegative();
            Thread.sleep(50);
        }
    }

    @Test
    void recoversFromAnInterruptedFirstRun(@TempDir Path freshHome) throws IOException {
        // What a mailer killed during unpacking and during initdb leaves behind:
        Path postgres = Files.createDirectories(freshHome.resolve("postgres"));
        String binaries = PostgresBinaries.forCurrentPlatform().directoryName();
        Files.createDirectories(postgres.resolve(binaries + ".unpacking-123/bin"));
        Files.createDirectories(postgres.resolve("data.initdb/base"));
        Files.createDirectories(postgres.resolve("data/global"));
        Files.writeString(postgres.resolve("data/postgresql.conf"), "# half-written\n");

        try (EmbeddedPostgres pg = start(freshHome)) {
            assertThat(queryOne(pg, "SELECT current_database()")).isEqualTo("mailer");
        }
        try (var entries = Files.list(postgres)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.contains(".unpacking-") || name.equals("data.initdb"));
        }
    }

    @Test
    void createsAPrivateMailerHome() {
        try (EmbeddedPostgres pg = start(home)) {
            assertThat(pg.dataDirectory()).isDirectory();
            assertThat(permissions(home)).isEqualTo("rwx------");
            assertThat(permissions(home.resolve("postgres"))).isEqualTo("rwx------");
            assertThat(permissions(pg.dataDirectory())).isEqualTo("rwx------");
        }
    }

    @Test
    void explainsAFailedStartWithTheRelevantLogLines(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("server.log");
        Files.writeString(file, "2025-05-22 11:23:45.678 UTC [1] LOG:  an earlier run\n");
        ServerLog log = new ServerLog(file);
        long offset = log.size();
        Files.writeString(file, String.join("\n",
                "2025-05-22 11:23:46.001 UTC [7] LOG:  starting PostgreSQL 17.5",
                "2025-05-22 11:23:46.002 UTC [7] LOG:  invalid value for parameter \"work_mem\": \"bogus\"",
                "2025-05-22 11:23:46.003 UTC [7] FATAL:  configuration file \"x\" contains errors",
                "2025-05-22 11:23:46.004 UTC [7] HINT:  Fix it.",
                "2025-05-22 11:23:46.005 UTC [7] LOG:  database system is shut down", ""),
                java.nio.file.StandardOpenOption.APPEND);

        assertThat(log.explainSince(offset, 3)).isEqualTo("LOG: invalid value for parameter \"work_mem\": \"bogus\""
                + " / FATAL: configuration file \"x\" contains errors / HINT: Fix it.");
        assertThat(log.explainSince(log.size(), 3)).isEmpty();
    }

    @Test
    void refusesPlatformsWithoutBundledBinaries() {
        assertThat(PostgresBinaries.forPlatform("Linux", "x86_64").directoryName()).isEqualTo("bin-17.5.0-amd64");
        assertThat(PostgresBinaries.forPlatform("Linux", "aarch64").directoryName()).isEqualTo("bin-17.5.0-arm64v8");
        assertThatThrownBy(() -> PostgresBinaries.forPlatform("Mac OS X", "aarch64"))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE))
                .hasMessage("No embedded PostgreSQL is available for Mac OS X/aarch64; point mailer at a"
                        + " PostgreSQL server with --db or MAILER_DB_URL.");
        assertThatThrownBy(() -> PostgresBinaries.forPlatform("Linux", "s390x"))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE));
    }

    @Test
    void testSupportHandsOutSeparateDatabases() throws SQLException {
        String first = TestPostgres.freshDatabase();
        String second = TestPostgres.freshDatabase();
        assertThat(first).isNotEqualTo(second).startsWith("jdbc:postgresql://127.0.0.1:");

        EmbeddedPostgres pg = TestPostgres.server();
        try (Connection a = DriverManager.getConnection(first, pg.user(), pg.password());
                Connection b = DriverManager.getConnection(second, pg.user(), pg.password())) {
            a.createStatement().execute("CREATE TABLE only_in_first (id int)");
            ResultSet rows = b.createStatement().executeQuery(
                    "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isZero();
        }
    }

    private static String permissions(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void execute(EmbeddedPostgres pg, String... statements) throws SQLException {
        try (Connection connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static String queryOne(EmbeddedPostgres pg, String sql) {
        try (Connection connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
