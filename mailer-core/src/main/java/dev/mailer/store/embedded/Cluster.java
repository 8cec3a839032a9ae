package dev.mailer.store.embedded;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL cluster in {@code $MAILER_HOME/postgres/data}: creating it, starting and
 * stopping its server through pg_ctl, finding the one that runs. Callers hold the home lock.
 */
final class Cluster {
    static final String SUPERUSER = "mailer";

    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
    private static final int PASSWORD_LENGTH = 40;
    private static final String PASSWORD_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** Ports are picked free, but another program can take one before the server binds it. */
    private static final int PORT_ATTEMPTS = 3;
    /** Beyond the start timeout, for pg_ctl itself to give up and report. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final Path postgresDir;
    private final Path installDir;
    private final Path dataDir;
    private final Path passwordFile;
    private final ServerLog log;
    private final ServerUser user;
    private final Duration timeout;

    Cluster(Path postgresDir, Path installDir, ServerUser user, Duration timeout) {
        this.postgresDir = postgresDir;
        this.installDir = installDir;
        this.dataDir = postgresDir.resolve("data");
        this.passwordFile = postgresDir.resolve("password");
        this.log = new ServerLog(postgresDir.resolve("server.log"));
        this.user = user;
        this.timeout = timeout;
    }

    Path dataDir() {
        return dataDir;
    }

    /**
     * initdb writes PG_VERSION early, but into a staging directory that is renamed to data/ only
     * once initdb succeeded, so PG_VERSION in data/ means a complete cluster.
     */
    boolean initialised() {
        return Files.isRegularFile(dataDir.resolve("PG_VERSION"));
    }

    /** Creates the cluster and its superuser; returns the superuser's new password. */
    String initialise() {
        LOG.info("Creating the embedded PostgreSQL database in {} (first run only)", dataDir);
        long started = System.nanoTime();
        Path staging = postgresDir.resolve("data.initdb");
        try {
            // Left by a crashed initdb: nothing in it is worth keeping.
            FileTrees.deleteIfExists(dataDir);
            FileTrees.deleteIfExists(staging);
            String password = newPassword();
            writePasswordFile(password);
            Files.createDirectory(staging, FileTrees.ownerOnlyDir());
            user.handOver(staging);

            ProcessRunner.Result initdb = user.run(List.of(program("initdb"),
                    "-D", staging.toString(),
                    "-U", SUPERUSER,
                    "-A", "scram-sha-256",
                    "--pwfile=" + passwordFile,
                    "-E", "UTF8",
                    "--locale=C",
                    // Checksums make silent disk corruption an error instead of wrong data.
                    "--data-checksums",
                    "--no-instructions"), postgresDir, timeout.plus(Duration.ofMinutes(2)));
            if (!initdb.ok()) {
                throw new MailerException(ErrorKind.INTERNAL, "Could not create the embedded PostgreSQL database in "
                        + dataDir + " (initdb: " + lastLines(initdb.output(), 4) + ").");
            }
            LOG.debug("initdb output:\n{}", initdb.output());
            Files.move(staging, dataDir, StandardCopyOption.ATOMIC_MOVE);
            FileTrees.syncDirectory(postgresDir);
            LOG.debug("Created the cluster in {} ms", (System.nanoTime() - started) / 1_000_000);
            return password;
        } catch (IOException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not create the embedded PostgreSQL database in "
                    + dataDir + ": " + FileTrees.describe(e) + ".", e);
        }
    }

    String readPassword() {
        try {
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            if (!password.isEmpty()) {
                return password;
            }
        } catch (NoSuchFileException e) {
            // reported below
        } catch (IOException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not read the embedded database's password file "
                    + passwordFile + ": " + FileTrees.describe(e) + ".", e);
        }
        throw new MailerException(ErrorKind.INTERNAL, "The embedded database's password file " + passwordFile
                + " is missing or empty; restore it, or move " + dataDir + " away to start with an empty database.");
    }

    private static String newPassword() {
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder(PASSWORD_LENGTH);
        for (int i = 0; i < PASSWORD_LENGTH; i++) {
            password.append(PASSWORD_ALPHABET.charAt(random.nextInt(PASSWORD_ALPHABET.length())));
        }
        return password.toString();
    }

    /** Written whole and forced to disk before initdb uses it: the cluster is useless without it. */
    private void writePasswordFile(String password) throws IOException {
        Path temp = passwordFile.resolveSibling(passwordFile.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel out = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FileTrees.ownerOnlyFile())) {
            ByteBuffer bytes = ByteBuffer.wrap((password + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        // umask may only have narrowed the mode; make sure it is exactly owner-only
        Files.setPosixFilePermissions(temp, FileTrees.OWNER_ONLY_FILE);
        Files.move(temp, passwordFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // initdb, running as the server user, reads it
        user.handOver(passwordFile);
        FileTrees.syncDirectory(postgresDir);
    }

    /**
     * A server whose mailer was killed (kill -9, OOM, power button on a laptop that suspends)
     * keeps running and keeps data/ locked; it is stopped cleanly so that ours can start.
     */
    void stopLeftover() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        Optional<Long> pid = Postmaster.pidFrom(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        switch (Postmaster.inspect(pid.get(), dataDir)) {
            case GONE -> {
                // PostgreSQL itself clears a stale pid file, after checking that no orphaned
                // backend is still attached to the old shared memory; deleting it would skip that.
            }
            case ZOMBIE, OTHER_PROGRAM -> {
                // PostgreSQL would take the pid for a live server and refuse to start.
                LOG.info("Removing the stale {} (pid {} is no longer a PostgreSQL server)", pidFile, pid.get());
                try {
                    Files.deleteIfExists(pidFile);
                } catch (IOException e) {
                    throw new MailerException(ErrorKind.INTERNAL, "Could not remove the stale " + pidFile + ": "
                            + FileTrees.describe(e) + ".", e);
                }
            }
            case OURS, UNKNOWN -> {
                LOG.info("Stopping the PostgreSQL server (pid {}) left running by an earlier mailer process",
                        pid.get());
                ProcessRunner.Result stop = pgCtlStop();
                if (!stop.ok() && Postmaster.isRunning(pid.get(), dataDir)) {
                    throw new MailerException(ErrorKind.INTERNAL, "Could not stop the PostgreSQL server (pid "
                            + pid.get() + ") left running in " + dataDir + " by an earlier mailer process ("
                            + lastLines(stop.output(), 3) + ").");
                }
            }
        }
    }

    /**
     * Starts the server on {@code preferredPort} (0: a free loopback port) and returns the port
     * once it accepts connections.
     */
    int start(int preferredPort) {
        return start(preferredPort, true);
    }

    /**
     * The port of the server running in our data directory, from its {@code postmaster.pid}; empty
     * when none runs (or it is still shutting down).
     */
    Optional<Integer> runningPort() {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.size() < 4) {
            return Optional.empty(); // being written by a server coming up
        }
        try {
            long pid = Long.parseLong(lines.get(0).strip());
            Postmaster.State state = Postmaster.inspect(pid, dataDir);
            if (state != Postmaster.State.OURS && state != Postmaster.State.UNKNOWN) {
                return Optional.empty();
            }
            if (lines.size() >= 8 && lines.get(7).strip().equals("stopping")) {
                return Optional.empty();
            }
            return Optional.of(Integer.parseInt(lines.get(3).strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * As {@link #start(int)}; unless {@code fixed}, the preferred port is only tried first (the one
     * the server had before, where long-running clients look for it again) and free ones after.
     */
    int start(int preferredPort, boolean fixed) {
        try {
            log.prepare(user);
        } catch (IOException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not prepare " + log.file() + ": "
                    + FileTrees.describe(e) + ".", e);
        }
        for (int attempt = 1; ; attempt++) {
            int port = preferredPort != 0 && (fixed || attempt == 1) ? preferredPort : freePort();
            long logOffset = log.size();
            ProcessRunner.Result start = user.run(List.of(program("pg_ctl"),
                    "-D", dataDir.toString(),
                    "-l", log.file().toString(),
                    "-w", "-t", Long.toString(timeoutSeconds()),
                    "-o", serverOptions(port),
                    "start"), postgresDir, timeout.plus(GRACE));
            if (start.ok()) {
                return port;
            }
            String why = log.explainSince(logOffset, 4);
            if (why.isEmpty()) {
                why = lastLines(start.output(), 3);
            }
            stopAfterFailedStart();
            if (why.contains("Address already in use") && attempt < PORT_ATTEMPTS && (preferredPort == 0 || !fixed)) {
                LOG.debug("Port {} was taken before the server could bind it; trying another", port);
                continue;
            }
            throw new MailerException(ErrorKind.INTERNAL, "The embedded PostgreSQL server in " + dataDir
                    + " did not start (" + why + "); see " + log.file() + " for details.");
        }
    }

    /**
     * Durability settings (fsync, synchronous_commit, full_page_writes) stay at their safe
     * defaults. No Unix socket: its directory would have to be writable by the server user and
     * short enough for the socket path limit, and JDBC talks TCP anyway.
     */
    private static String serverOptions(int port) {
        return "-p " + port
                + " -c listen_addresses=127.0.0.1"
                + " -c unix_socket_directories=''"
                + " -c max_connections=120"
                + " -c shared_buffers=128MB";
    }

    /** A timed-out start may have left a server coming up; it must not outlive our failure. */
    private void stopAfterFailedStart() {
        Optional<Long> pid = Postmaster.pidFrom(dataDir.resolve("postmaster.pid"));
        if (pid.isPresent() && Postmaster.inspect(pid.get(), dataDir) == Postmaster.State.OURS) {
            ProcessRunner.Result stop = pgCtlStop();
            if (!stop.ok()) {
                LOG.warn("Could not stop the half-started PostgreSQL server: {}", lastLines(stop.output(), 3));
            }
        }
    }

    /** Stops the server with a fast shutdown (sessions are ended, a checkpoint is written). */
    void stop() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        ProcessRunner.Result stop = pgCtlStop();
        if (!stop.ok()) {
            Optional<Long> pid = Postmaster.pidFrom(pidFile);
            if (pid.isEmpty() || !Postmaster.isRunning(pid.get(), dataDir)) {
                return;
            }
            throw new MailerException(ErrorKind.INTERNAL, "Could not stop the embedded PostgreSQL server in "
                    + dataDir + " (" + lastLines(stop.output(), 3) + ").");
        }
    }

    private ProcessRunner.Result pgCtlStop() {
        return user.run(List.of(program("pg_ctl"),
                "-D", dataDir.toString(),
                "-m", "fast",
                "-w", "-t", Long.toString(timeoutSeconds()),
                "stop"), postgresDir, timeout.plus(GRACE));
    }

    private long timeoutSeconds() {
        return Math.max(1, (timeout.toMillis() + 999) / 1000);
    }

    private String program(String name) {
        return installDir.resolve("bin").resolve(name).toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not find a free port on 127.0.0.1 for the"
                    + " embedded PostgreSQL: " + e.getMessage() + ".", e);
        }
    }

    private static String lastLines(String output, int max) {
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - max), lines.size()));
    }
}
