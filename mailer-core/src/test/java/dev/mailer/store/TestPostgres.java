package dev.mailer.store;

import dev.mailer.store.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One embedded PostgreSQL per test JVM, shared by every test that needs a database (also by
 * mailer-cli's tests, through the test-jar). Tests isolate themselves with {@link #freshDatabase()}
 * rather than a server each: a server costs seconds to create, a database milliseconds.
 *
 * <p>The server lives in {@code target/test-postgres-<random>} of the module under test and is
 * stopped, and its directory deleted, when the JVM exits. Run with
 * {@code -Dmailer.test.keepPostgres=true} to keep the directory (and its server.log).
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            String suffix = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
            Path home = Path.of("target", "test-postgres-" + suffix).toAbsolutePath();
            EmbeddedPostgres started = EmbeddedPostgres.start(home, EmbeddedPostgres.Options.defaults());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                // EmbeddedPostgres has its own hook; close() waits for it and is idempotent.
                started.close();
                if (!Boolean.getBoolean("mailer.test.keepPostgres")) {
                    deleteQuietly(home);
                }
            }, "test-postgres-cleanup"));
            server = started;
        }
        return server;
    }

    /** Creates an empty database {@code t_<n>} on {@link #server()} and returns its JDBC URL. */
    public static String freshDatabase() {
        EmbeddedPostgres pg = server();
        String name = "t_" + DATABASES.incrementAndGet();
        try (Connection connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + name + ": " + e.getMessage(), e);
        }
        return pg.jdbcUrl(name);
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Could not delete " + root + ": " + e.getMessage());
        }
    }
}
