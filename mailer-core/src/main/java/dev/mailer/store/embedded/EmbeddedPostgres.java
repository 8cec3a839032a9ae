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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server run by mailer itself, so that nothing needs installing (SPEC §2), shared
 * by every mailer process of the same home (SPEC §9). Everything lives in
 * {@code $MAILER_HOME/postgres/}:
 *
 * <pre>
 *   bin-17.5.0-&lt;arch&gt;/   the server programs, unpacked from the bundled binaries on first use
 *   data/                 the cluster (owned by the server user, 0700)
 *   password              the superuser's password (0600), made at initdb
 *   port                  the port the server was last started on
 *   server.log            everything the server prints
 *   lock                  held while a process starts, joins or stops the server
 *   users/                one locked file per process using the server
 * </pre>
 *
 * <p>The first process starts the server; the others find it running (its port in
 * {@code data/postmaster.pid}) and use it; the last to {@link #close()} stops it. The server runs
 * apart from every JVM, so a process that is killed, the starter included, leaves it to the
 * others; if the last user is killed the next one takes the running server over. The server
 * listens on 127.0.0.1 only, on the port it had before when that is free (so that long-running
 * processes such as {@code serve} find it again after a crash), else on a free one.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String DATABASE = "mailer";

    /**
     * @param runAsUserWhenRoot the user the server runs as when mailer runs as root, which
     *     PostgreSQL refuses to run as
     * @param startTimeout how long starting or stopping the server may take
     * @param port the loopback port to listen on; 0 for the one it had before when free, else a free one
     * @param command what this process is, for {@code mailer db status} ("serve", "send" …); null if unnamed
     */
    public record Options(String runAsUserWhenRoot, Duration startTimeout, int port, String command) {
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

        public Options(String runAsUserWhenRoot, Duration startTimeout, int port) {
            this(runAsUserWhenRoot, startTimeout, port, null);
        }

        public Options(String runAsUserWhenRoot, Duration startTimeout) {
            this(runAsUserWhenRoot, startTimeout, 0);
        }

        public static Options defaults() {
            return new Options(DEFAULT_USER, DEFAULT_TIMEOUT, 0);
        }

        /** The same options with a fixed port (a server restarted where its clients look for it). */
        public Options withPort(int port) {
            return new Options(runAsUserWhenRoot, startTimeout, port, command);
        }

        /** The same options for a process that {@code mailer db status} shows as {@code command}. */
        public Options withCommand(String command) {
            return new Options(runAsUserWhenRoot, startTimeout, port, command);
        }
    }

    /** How long a process waits for another one that is starting or stopping the server. */
    private static final Duration LOCK_WAIT = Duration.ofMinutes(2);
    /** How long a server found running may take to accept connections (it may be starting up). */
    private static final Duration JOIN_WAIT = Duration.ofSeconds(10);

    /**
     * What {@code mailer db status} shows.
     *
     * @param port  where the server listens; 0 when it does not run
     * @param users the processes using it now
     */
    public record Status(Path home, Path dataDirectory, String version, boolean running, int port,
                         List<Users.User> users) {
    }

    private final Path home;
    private final Cluster cluster;
    private final Users.Registration registration;
    private final Path postgresDir;
    private final Duration startTimeout;
    private final int port;
    private final String password;
    private final boolean startedHere;
    private Thread shutdownHook;
    private boolean closed;

    private EmbeddedPostgres(Path home, Cluster cluster, Users.Registration registration, int port, String password,
                             boolean startedHere, Duration startTimeout) {
        this.home = home;
        this.cluster = cluster;
        this.registration = registration;
        this.postgresDir = home.resolve("postgres");
        this.port = port;
        this.password = password;
        this.startedHere = startedHere;
        this.startTimeout = startTimeout;
    }

    /** As {@link #start(Path, Options)} for a process that {@code mailer db status} shows as {@code command}. */
    public static EmbeddedPostgres start(Path mailerHome, Options options, String command) {
        return start(mailerHome, options.withCommand(command));
    }

    /**
     * Uses the server whose data lives in mailerHome/postgres: the one running, or started now
     * (initialising the cluster on first use).
     */
    public static EmbeddedPostgres start(Path mailerHome, Options options) {
        Objects.requireNonNull(mailerHome, "mailerHome");
        Objects.requireNonNull(options, "options");
        long started = System.nanoTime();
        PostgresBinaries binaries = PostgresBinaries.forCurrentPlatform();
        Path home = mailerHome.toAbsolutePath().normalize();
        Path postgresDir = home.resolve("postgres");
        createPrivateDirectories(home, postgresDir);

        try (HomeLock lock = HomeLock.acquire(postgresDir.resolve("lock"), home, LOCK_WAIT)) {
            ServerUser user = ServerUser.detect(options.runAsUserWhenRoot(), postgresDir);
            Path installDir = binaries.install(postgresDir);
            Cluster cluster = new Cluster(postgresDir, installDir, user, options.startTimeout());
            String password = cluster.initialised() ? cluster.readPassword() : cluster.initialise();
            Users.Registration registration = Users.register(postgresDir.resolve("users"), options.command());
            boolean startedHere = false;
            int port = -1;
            try {
                Optional<Integer> running = cluster.runningPort();
                if (running.isPresent() && answers(running.get(), password)) {
                    port = running.get();
                } else {
                    cluster.stopLeftover();
                    port = options.port() != 0 ? cluster.start(options.port(), true)
                            : cluster.start(lastPort(postgresDir), false);
                    startedHere = true;
                    rememberPort(postgresDir, port);
                }
                EmbeddedPostgres server = new EmbeddedPostgres(home, cluster, registration, port, password,
                        startedHere, options.startTimeout());
                server.createDatabaseIfMissing();
                server.stopAtExit();
                LOG.debug("Embedded PostgreSQL {} {} on 127.0.0.1:{} (data in {}, server user {}) after {} ms",
                        PostgresBinaries.VERSION, startedHere ? "started" : "joined", port, cluster.dataDir(),
                        user.name(), (System.nanoTime() - started) / 1_000_000);
                return server;
            } catch (RuntimeException | Error e) {
                registration.close();
                if (startedHere && Users.alive(postgresDir.resolve("users")).isEmpty()) {
                    try {
                        cluster.stop();
                    } catch (RuntimeException stopFailure) {
                        e.addSuppressed(stopFailure);
                    }
                }
                throw e;
            }
        }
    }

    /**
     * Where the server of a home stands, without starting it or becoming one of its users.
     */
    public static Status status(Path mailerHome, Options options) {
        Path home = mailerHome.toAbsolutePath().normalize();
        Path postgresDir = home.resolve("postgres");
        Path dataDir = postgresDir.resolve("data");
        if (!Files.isDirectory(postgresDir)) {
            return new Status(home, dataDir, PostgresBinaries.VERSION, false, 0, List.of());
        }
        try (HomeLock lock = HomeLock.acquire(postgresDir.resolve("lock"), home, LOCK_WAIT)) {
            Cluster cluster = new Cluster(postgresDir, postgresDir, null, options.startTimeout());
            Optional<Integer> port = cluster.runningPort();
            return new Status(home, dataDir, PostgresBinaries.VERSION, port.isPresent(), port.orElse(0),
                    Users.alive(postgresDir.resolve("users")));
        }
    }

    /**
     * Starts the server again when it is no longer running (it crashed, or was stopped under this
     * process), on the same port, so that this process's connections find it; a no-op while it runs.
     *
     * @return whether it had to be started
     */
    public boolean ensureRunning() {
        try (HomeLock lock = HomeLock.acquire(postgresDir.resolve("lock"), home, LOCK_WAIT)) {
            synchronized (this) {
                if (closed) {
                    return false;
                }
            }
            Optional<Integer> running = cluster.runningPort();
            if (running.isPresent() && answers(running.get(), password)) {
                return false;
            }
            cluster.stopLeftover();
            cluster.start(port, true);
            LOG.info("Restarted the embedded PostgreSQL server on 127.0.0.1:{}", port);
            return true;
        }
    }

    /**
     * The processes using this server besides this one: every registered user but this object's
     * own registration (other users in this JVM, such as a test's, count).
     */
    public List<Users.User> otherUsers() {
        try (HomeLock lock = HomeLock.acquire(postgresDir.resolve("lock"), home, LOCK_WAIT)) {
            return Users.alive(postgresDir.resolve("users"), registration);
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

    /** Whether this process started the server (rather than finding it running). */
    public boolean startedHere() {
        return startedHere;
    }

    /**
     * Leaves the server: the last user stops it (fast shutdown); later calls do nothing.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try (HomeLock lock = HomeLock.acquire(postgresDir.resolve("lock"), home, LOCK_WAIT)) {
            registration.close();
            List<Users.User> others = Users.alive(postgresDir.resolve("users"));
            if (others.isEmpty()) {
                cluster.stop();
                LOG.debug("Embedded PostgreSQL in {} stopped", cluster.dataDir());
            } else {
                LOG.debug("Embedded PostgreSQL in {} left running for {} other users", cluster.dataDir(),
                        others.size());
            }
        } finally {
            registration.close();
            forgetShutdownHook();
        }
    }

    @Override
    public String toString() {
        return "EmbeddedPostgres[" + jdbcUrl() + ", data " + cluster.dataDir() + "]";
    }

    /** Whether a server on this port lets us in, waiting a moment for one that is starting up. */
    private static boolean answers(int port, String password) {
        long deadline = System.nanoTime() + JOIN_WAIT.toNanos();
        while (true) {
            try (Connection c = connect("jdbc:postgresql://127.0.0.1:" + port + "/postgres", password)) {
                return true;
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                // 57P03: the server is starting up; 08xxx: nobody listening yet
                if (!(state.equals("57P03") || state.startsWith("08")) || System.nanoTime() - deadline > 0) {
                    return false;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static int lastPort(Path postgresDir) {
        try {
            int port = Integer.parseInt(Files.readString(postgresDir.resolve("port"), StandardCharsets.US_ASCII).strip());
            return port > 0 && port <= 65535 ? port : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static void rememberPort(Path postgresDir, int port) {
        try {
            Path tmp = postgresDir.resolve("port.tmp");
            Files.writeString(tmp, port + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, postgresDir.resolve("port"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.debug("Could not remember the port: {}", e.getMessage()); // a later start picks a free one
        }
    }

    private static Connection connect(String url, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", Cluster.SUPERUSER);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("ApplicationName", "mailer-embedded-setup");
        // The driver directly rather than DriverManager, which misses drivers in some class loaders.
        Connection connection = new org.postgresql.Driver().connect(url, properties);
        if (connection == null) {
            throw new SQLException("not a PostgreSQL URL: " + url);
        }
        return connection;
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
        try (Connection connection = connect(jdbcUrl("postgres"), password);
                Statement statement = connection.createStatement()) {
            boolean exists;
            try (ResultSet rows = statement.executeQuery(
                    "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                exists = rows.next();
            }
            if (!exists) {
                try {
                    statement.execute("CREATE DATABASE " + DATABASE);
                } catch (SQLException raced) {
                    if (!"42P04".equals(raced.getSQLState())) { // duplicate_database: another process was first
                        throw raced;
                    }
                }
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
