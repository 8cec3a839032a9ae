package dev.mailer.store.embedded;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server run by mailer itself, so that nothing needs installing (SPEC §2).
 * Everything lives in {@code $MAILER_HOME/postgres/}:
 *
 * <pre>
 *   bin-17.5.0-&lt;arch&gt;/   the server programs, unpacked from the bundled binaries on first use
 *   data/                 the cluster (owned by the server user, 0700)
 *   password              the superuser's password (0600), made at initdb
 *   server.log            everything the server prints
 *   lock                  held by the one mailer process using this database
 * </pre>
 *
 * <p>The server listens on 127.0.0.1 only, on a port picked afresh at every start, and stops at
 * {@link #close()} or, failing that, when the JVM exits normally or by Ctrl-C. A server left
 * behind by a killed JVM is stopped and restarted by the next {@link #start}.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String DATABASE = "mailer";

    /**
     * @param runAsUserWhenRoot the user the server runs as when mailer runs as root, which
     *     PostgreSQL refuses to run as
     * @param startTimeout how long starting or stopping the server may take
     * @param port the loopback port to listen on; 0 for a free one picked at every start
     */
    public record Options(String runAsUserWhenRoot, Duration startTimeout, int port) {
        private static final String DEFAULT_USER = "nobody";
        private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

        public Options {
            if (runAsUserWhenRoot == null || runAsUserWhenRoot.isBlank()) {
                runAsUserWhenRoot = DEFAULT_USER;
            }
            if (startTimeout == null) {
                startTimeout = DEFAULT_TIMEOUT;
            }
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("not a port: " + port);
            }
        }

        public Options(String runAsUserWhenRoot, Duration startTimeout) {
            this(runAsUserWhenRoot, startTimeout, 0);
        }

        public static Options defaults() {
            return new Options(DEFAULT_USER, DEFAULT_TIMEOUT, 0);
        }

        /** The same options with a fixed port (a server restarted where its clients look for it). */
        public Options withPort(int port) {
            return new Options(runAsUserWhenRoot, startTimeout, port);
        }
    }

    private final Path home;
    private final Cluster cluster;
    private final HomeLock lock;
    private final int port;
    private final String password;
    private Thread shutdownHook;
    private boolean closed;

    private EmbeddedPostgres(Path home, Cluster cluster, HomeLock lock, int port, String password) {
        this.home = home;
        this.cluster = cluster;
        this.lock = lock;
        this.port = port;
        this.password = password;
    }

    /** Starts (initialising on first use) the server whose data lives in mailerHome/postgres. */
    public static EmbeddedPostgres start(Path mailerHome, Options options) {
        Objects.requireNonNull(mailerHome, "mailerHome");
        Objects.requireNonNull(options, "options");
        long started = System.nanoTime();
        PostgresBinaries binaries = PostgresBinaries.forCurrentPlatform();
        Path home = mailerHome.toAbsolutePath().normalize();
        Path postgresDir = home.resolve("postgres");
        createPrivateDirectories(home, postgresDir);

        HomeLock lock = HomeLock.acquire(postgresDir.resolve("lock"), home);
        Cluster cluster = null;
        boolean running = false;
        try {
            ServerUser user = ServerUser.detect(options.runAsUserWhenRoot(), postgresDir);
            Path installDir = binaries.install(postgresDir);
            cluster = new Cluster(postgresDir, installDir, user, options.startTimeout());
            String password = cluster.initialised() ? cluster.readPassword() : cluster.initialise();
            cluster.stopLeftover();
            int port = cluster.start(options.port());
            running = true;
            EmbeddedPostgres server = new EmbeddedPostgres(home, cluster, lock, port, password);
            server.createDatabaseIfMissing();
            server.stopAtExit();
            LOG.debug("Embedded PostgreSQL {} is up on 127.0.0.1:{} (data in {}, server user {}) after {} ms",
                    PostgresBinaries.VERSION, port, cluster.dataDir(), user.name(),
                    (System.nanoTime() - started) / 1_000_000);
            return server;
        } catch (RuntimeException | Error e) {
            if (running) {
                try {
                    cluster.stop();
                } catch (RuntimeException stopFailure) {
                    e.addSuppressed(stopFailure);
                }
            }
            lock.close();
            throw e;
        }
    }

    /** jdbc:postgresql://127.0.0.1:PORT/mailer */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    /** The URL of another database on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    public String user() {
        return Cluster.SUPERUSER;
    }

    public String password() {
        return password;
    }

    public Path dataDirectory() {
        return cluster.dataDir();
    }

    public Path home() {
        return home;
    }

    /** Stops the server (fast shutdown) and releases the lock; later calls do nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cluster.stop();
            LOG.debug("Embedded PostgreSQL in {} stopped", cluster.dataDir());
        } finally {
            lock.close();
            forgetShutdownHook();
        }
    }

    @Override
    public String toString() {
        return "EmbeddedPostgres[" + jdbcUrl() + ", data " + cluster.dataDir() + "]";
    }

    private static void createPrivateDirectories(Path home, Path postgresDir) {
        try {
            if (!Files.isDirectory(home)) {
                Files.createDirectories(home, FileTrees.ownerOnlyDir());
            }
            if (!Files.isDirectory(postgresDir)) {
                Files.createDirectories(postgresDir, FileTrees.ownerOnlyDir());
            }
        } catch (AccessDeniedException | FileAlreadyExistsException e) {
            throw new MailerException(ErrorKind.USAGE, "Could not create the mailer home " + home + " ("
                    + FileTrees.describe(e) + "); set MAILER_HOME to a directory you can write to.", e);
        } catch (IOException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not create the mailer home " + home + ": "
                    + FileTrees.describe(e) + ".", e);
        }
    }

    /**
     * On every start rather than once after initdb: a mailer killed between initdb and this
     * step must not leave a cluster without its database.
     */
    private void createDatabaseIfMissing() {
        Properties properties = new Properties();
        properties.setProperty("user", user());
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("ApplicationName", "mailer-embedded-setup");
        // The driver directly rather than DriverManager, which misses drivers in some class loaders.
        try (Connection connection = new org.postgresql.Driver().connect(jdbcUrl("postgres"), properties);
                Statement statement = connection.createStatement()) {
            boolean exists;
            try (ResultSet rows = statement.executeQuery(
                    "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                exists = rows.next();
            }
            if (!exists) {
                statement.execute("CREATE DATABASE " + DATABASE);
                LOG.debug("Created database {}", DATABASE);
            }
        } catch (SQLException e) {
            throw new MailerException(ErrorKind.INTERNAL, "The embedded PostgreSQL server started but mailer"
                    + " could not connect to it on 127.0.0.1:" + port + " (" + e.getMessage() + ").", e);
        }
    }

    /** So that Ctrl-C or a plain System.exit does not leave the server running. */
    private void stopAtExit() {
        Thread hook = new Thread(() -> {
            try {
                close();
            } catch (RuntimeException e) {
                LOG.warn("{}", e.getMessage());
            }
        }, "embedded-postgres-stop");
        shutdownHook = hook;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void forgetShutdownHook() {
        Thread hook = shutdownHook;
        shutdownHook = null;
        if (hook == null || hook == Thread.currentThread()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to run; close() is idempotent, so it will do nothing
        }
    }
}
