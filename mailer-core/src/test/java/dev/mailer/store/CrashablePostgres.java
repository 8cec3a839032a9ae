package dev.mailer.store;

import dev.mailer.store.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of a test's own, which the test may crash ({@code kill -9} of the
 * postmaster), stop and start again on the same port, so that the processes under test find it
 * where they left it. The shared {@link TestPostgres} must never be touched like that.
 */
public final class CrashablePostgres implements AutoCloseable {
    private final Path home;
    private final EmbeddedPostgres.Options options;
    private EmbeddedPostgres server;

    private CrashablePostgres(Path home, EmbeddedPostgres.Options options) {
        this.home = home;
        this.options = options;
        this.server = EmbeddedPostgres.start(home, options);
    }

    public static CrashablePostgres start(Path home) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        return new CrashablePostgres(home, EmbeddedPostgres.Options.defaults().withPort(port));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + options.port() + "/mailer";
    }

    public String user() {
        return server.user();
    }

    public String password() {
        return server.password();
    }

    /**
     * SIGKILL to the postmaster, as a crash or the OOM killer would: no checkpoint, no goodbye to
     * the clients. Its backends notice that it died and end by themselves; those that do not within
     * ten seconds are killed too, as a reboot would.
     */
    public void kill() throws Exception {
        long pid = postmasterPid();
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> backends = postmaster.descendants().toList();
        postmaster.destroyForcibly();
        postmaster.onExit().get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle backend : backends) {
            while (backend.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            backend.destroyForcibly();
        }
    }

    /** SIGSTOP to the server and its backends: connections are taken, nothing is answered. */
    public void freeze() throws Exception {
        signalAll("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() throws Exception {
        signalAll("CONT");
    }

    private void signalAll(String signal) throws Exception {
        ProcessHandle postmaster = ProcessHandle.of(postmasterPid()).orElseThrow();
        List<String> command = new java.util.ArrayList<>(List.of("kill", "-" + signal,
                Long.toString(postmaster.pid())));
        postmaster.descendants().forEach(p -> command.add(Long.toString(p.pid())));
        new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /** A clean stop (fast shutdown), as an operator's systemctl stop. */
    public void stop() {
        server.close();
    }

    /** Starts the server again on its port, after a crash (recovery from the WAL) or a stop. */
    public void restart() throws InterruptedException {
        server.close(); // after a crash: nothing to stop, but the home's lock is let go
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                server = EmbeddedPostgres.start(home, options);
                return;
            } catch (RuntimeException e) {
                // an orphaned backend may still hold the old shared memory for a moment
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private long postmasterPid() throws IOException {
        Path pidFile = server.dataDirectory().resolve("postmaster.pid");
        return Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).strip());
    }

    @Override
    public void close() {
        server.close();
    }
}
