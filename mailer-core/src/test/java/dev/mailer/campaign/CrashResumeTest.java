package dev.mailer.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mailer.store.TestDatabase;
import dev.mailer.store.TestPostgres;
import dev.mailer.transport.FaultySmtpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sending JVM dies by SIGKILL half-way through a campaign ({@link SendChild}, a real child
 * process, {@link Process#destroyForcibly()}); running the same campaign again resumes it. Counted
 * at the SMTP server: nobody receives a message twice, and everybody receives one except the few
 * deliveries that were on an SMTP connection at the instant of the kill. Those are 'unknown' (in
 * doubt) and are not resent unless asked to.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrashResumeTest {
    private static final int CONTACTS = 400;
    private static final int KILL_AFTER = 100;
    private static final int CONNECTIONS = 4;
    /**
     * Every reply of the SMTP server reaches the child this much later (see {@link SlowLink}): about
     * four round trips a message make ~30 messages/s per connection, so the child's run would take
     * a few seconds, the kill lands mid-campaign, and at that instant each connection is busy with a
     * message. (A throttled child on a fast server was tried first: its connections were idle most
     * of the time, the kill landed between messages and nothing was ever in doubt.)
     */
    private static final int REPLY_DELAY_MILLIS = 8;
    /** Short leases for both runs: the resuming run takes a dead sender's rows once they ran out. */
    private static final int LEASE_SECONDS = 3;

    @TempDir
    Path dir;

    @Test
    void aRunKilledWithSigkillIsResumedWithoutDuplicatesAndLosesOnlyWhatWasInFlight() throws Exception {
        Path templates = dir.resolve("templates");
        Files.createDirectories(templates);
        CampaignFixture campaign = CampaignFixture.create(templates, SendChild.NAME);
        CampaignSpec spec = campaign.spec();
        CampaignMessages messages = campaign.messages();
        Path childLog = dir.resolve("send-child.log");

        try (TestDatabase db = TestDatabase.fresh(); FaultySmtpServer server = FaultySmtpServer.start();
             SlowLink slow = new SlowLink(URI.create(server.url("")).getPort(), REPLY_DELAY_MILLIS)) {
            List<String> eligible = campaign.importContacts(db, CONTACTS, 0);
            String childRelay = "smtp://127.0.0.1:" + slow.port() + "?tls=none&connections=" + CONNECTIONS;
            String relay = server.url("connections=" + CONNECTIONS);

            // --- 1. the child sends, and is killed with SIGKILL after >= KILL_AFTER messages ---------
            String jdbcUrl = TestPostgres.server().jdbcUrl(db.rows("select current_database()").get(0).get(0));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    SendChild.class.getName(), jdbcUrl, TestPostgres.server().user(), TestPostgres.server().password(),
                    childRelay, templates.toString(), "none", Integer.toString(LEASE_SECONDS))
                    .redirectErrorStream(true)
                    .redirectOutput(childLog.toFile());
            Process child = builder.start();
            int receivedAtKill;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (server.recipients().size() < KILL_AFTER) {
                    if (!child.isAlive()) {
                        fail("the child ended (exit " + child.exitValue() + ") before the server received "
                                + KILL_AFTER + " messages:\n" + log(childLog));
                    }
                    if (System.nanoTime() > deadline) {
                        fail("the server received only " + server.recipients().size() + " messages in 30 s:\n"
                                + log(childLog));
                    }
                    Thread.sleep(2);
                }
                child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks, nothing flushed
                receivedAtKill = server.recipients().size();
                assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("the child died").isTrue();
            } finally {
                if (child.isAlive()) {
                    child.destroyForcibly();
                    child.waitFor(10, TimeUnit.SECONDS);
                }
            }
            String log = log(childLog);
            assertThat(log).as("child's output").contains(SendChild.SENDING).doesNotContain("DONE");
            assertThat(child.exitValue()).as("killed by SIGKILL: 128 + 9").isEqualTo(137);

            int receivedFromChild = settledCount(server);
            int childConnections = server.connectionsOpened();
            List<String> fromChild = server.recipients();
            assertThat(fromChild).as("the child sent nobody twice").doesNotHaveDuplicates().isSubsetOf(eligible);
            assertThat(receivedFromChild).as("the kill landed mid-campaign").isLessThan(CONTACTS);
            assertThat(childConnections).as("long-lived connections").isBetween(1, CONNECTIONS);

            // what the dead sender left: its leases, and 'sending' rows (in flight at the kill)
            Set<String> inFlightAtKill = new HashSet<>(emails(db, "sending"));
            Map<String, Long> afterKill = statusCounts(db);
            assertThat(inFlightAtKill.size()).as("at most one message in flight per SMTP connection")
                    .isLessThanOrEqualTo(CONNECTIONS);
            assertThat(afterKill.getOrDefault("sent", 0L))
                    .as("every row recorded 'sent' reached the server").isLessThanOrEqualTo(receivedFromChild);

            // --- 2. the same campaign again, in this JVM, once the dead child's leases ran out -------
            waitForLeasesToRunOut(db);
            RunResult resumed = campaign.run(db, relay, SendChild.options(LEASE_SECONDS, false));

            assertThat(resumed.stoppedBy()).isNull();
            List<String> received = server.recipients();
            Map<String, Long> timesReceived = received.stream()
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(received).as("nobody received a message twice").doesNotHaveDuplicates().isSubsetOf(eligible);
            Map<String, Long> statuses = statusCounts(db);
            assertThat(statuses.keySet()).as("every row ended 'sent' or 'unknown': " + statuses)
                    .isSubsetOf(Set.of("sent", "unknown"));
            long sent = statuses.getOrDefault("sent", 0L);
            long unknown = statuses.getOrDefault("unknown", 0L);
            assertThat(sent + unknown).isEqualTo(CONTACTS);
            List<String> sentRows = emails(db, "sent");
            Set<String> unknownRows = new HashSet<>(emails(db, "unknown"));
            assertThat(sentRows).as("every 'sent' row was received exactly once").allSatisfy(email ->
                    assertThat(timesReceived.getOrDefault(email, 0L)).as(email).isEqualTo(1L));
            assertThat(unknownRows).as("only the deliveries in flight at the kill are in doubt")
                    .isEqualTo(inFlightAtKill)
                    .allSatisfy(email -> assertThat(timesReceived.getOrDefault(email, 0L)).as(email).isLessThanOrEqualTo(1L));
            assertThat(unknown).as("in doubt: at most the child's SMTP connections")
                    .isLessThanOrEqualTo(Math.min(CONNECTIONS, childConnections));
            Set<String> inDoubtButArrived = unknownRows.stream().filter(timesReceived::containsKey)
                    .collect(Collectors.toSet());
            assertThat(received).as("lost: only in-doubt messages that never reached the server")
                    .hasSize(CONTACTS - (unknownRows.size() - inDoubtButArrived.size()));
            assertThat(List.of(resumed.report().sent(), resumed.report().unknown(), resumed.report().failed(),
                    resumed.report().deferred())).containsExactly(sent, unknown, 0L, 0L);
            assertThat(db.count("select count(*) from delivery where lease_owner is not null and status <> 'unknown'"))
                    .as("no leases left but the record of who had an in-doubt row in flight").isZero();

            // --- 3. --resend-unknown -------------------------------------------------------------
            // It trades possible duplicates for no losses: nobody can tell whether an in-doubt message
            // reached the server, so all of them go out again, and those that had arrived arrive twice.
            RunResult resent = campaign.run(db, relay, SendChild.options(LEASE_SECONDS, true));

            assertThat(resent.stoppedBy()).isNull();
            List<String> finallyReceived = server.recipients();
            assertThat(new HashSet<>(finallyReceived)).as("after the resend everybody got it at least once")
                    .containsExactlyInAnyOrderElementsOf(eligible);
            List<String> duplicates = duplicates(finallyReceived);
            assertThat(duplicates).as("the resend duplicated exactly the in-doubt messages that had arrived")
                    .containsExactlyInAnyOrderElementsOf(inDoubtButArrived);
            assertThat(statusCounts(db)).isEqualTo(Map.of("sent", (long) CONTACTS));

            System.out.printf("CrashResumeTest: child connections=%d, received at kill=%d, received from child=%d,"
                    + " rows after kill=%s, in doubt (unknown)=%d of which the server had received %d,"
                    + " duplicates caused by --resend-unknown=%d%n", childConnections, receivedAtKill,
                    receivedFromChild, afterKill, unknown, inDoubtButArrived.size(), duplicates.size());
        }
    }

    // --- helpers ----------------------------------------------------------------------------------

    /**
     * A TCP relay on loopback in front of the SMTP server that holds every chunk the server sends
     * for {@code delayMillis}: a slow relay, without touching the server. What the client sends
     * goes through at once, so the server has a message (and counts it) before the client hears
     * the 250: exactly the window in which a killed sender leaves a delivery in doubt.
     */
    static final class SlowLink implements AutoCloseable {
        private final ServerSocket listener;
        private final int upstreamPort;
        private final int delayMillis;
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        private volatile boolean closed;

        SlowLink(int upstreamPort, int delayMillis) throws IOException {
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.upstreamPort = upstreamPort;
            this.delayMillis = delayMillis;
            daemon(this::accept, "slow-link-accept");
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            while (!closed) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                    client.setTcpNoDelay(true);
                    server.setTcpNoDelay(true);
                    sockets.add(client);
                    sockets.add(server);
                    daemon(() -> pump(client, server, 0), "slow-link-up");
                    daemon(() -> pump(server, client, delayMillis), "slow-link-down");
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        /** Copies until either side ends, then closes both (a dead client's server session ends too). */
        private void pump(Socket from, Socket to, int delay) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (delay > 0) {
                        Thread.sleep(delay);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        private void closeQuietly(Socket socket) {
            sockets.remove(socket);
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        private static void daemon(Runnable body, String name) {
            Thread thread = new Thread(body, name);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            closed = true;
            listener.close();
            sockets.forEach(this::closeQuietly);
        }
    }

    /** The server's count once it stopped changing: the kill's last bytes may still be in its sockets. */
    private static int settledCount(FaultySmtpServer server) throws InterruptedException {
        int count = server.recipients().size();
        while (true) {
            Thread.sleep(200);
            int now = server.recipients().size();
            if (now == count) {
                return count;
            }
            count = now;
        }
    }

    /** Waits until no delivery row holds a live lease: the dead child's rows can then be taken over. */
    private static void waitForLeasesToRunOut(TestDatabase db) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEASE_SECONDS + 10);
        while (db.count("select count(*) from delivery where lease_until >= now()") > 0) {
            assertThat(System.nanoTime()).as("leases ran out in time").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static Map<String, Long> statusCounts(TestDatabase db) {
        Map<String, Long> counts = new TreeMap<>();
        for (Map<String, Object> row : db.maps("select status, count(*) as n from delivery group by status")) {
            counts.put((String) row.get("status"), (Long) row.get("n"));
        }
        return counts;
    }

    private static List<String> emails(TestDatabase db, String status) {
        return db.rows("select c.email_norm from delivery d join contact c on c.id = d.contact_id"
                + " where d.status = ? order by d.id", status).stream().map(row -> row.get(0)).toList();
    }

    private static List<String> duplicates(List<String> received) {
        Set<String> seen = new HashSet<>();
        List<String> twice = new ArrayList<>();
        for (String recipient : received) {
            if (!seen.add(recipient)) {
                twice.add(recipient);
            }
        }
        return twice;
    }

    private static String log(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(no output)";
    }
}
