package dev.mailer.feedback.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.message.TestSecret;
import dev.mailer.store.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the open Internet does to {@code serve} (issue 13): clients that trickle their headers or
 * their bodies must not keep anyone else waiting, one address cannot take every connection, and
 * HEAD is answered like GET. Real sockets against the real server on a real database.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowClientsTest {
    private static final int SLOW = 20;
    private static TestDatabase db;
    private static FeedbackServer server;
    private static FeedbackServer capped;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        // the slow clients and the normal one all come from 127.0.0.1: room for them all
        server = db.engine().serve(ServerSettings.of(TestSecret.SIGNER, null, false).withConnectionsPerClient(200),
                loopback);
        capped = db.engine().serve(ServerSettings.of(TestSecret.SIGNER, null, false), loopback);
    }

    @AfterAll
    static void stop() {
        server.close();
        capped.close();
        db.close();
    }

    @Test
    void clientsThatTrickleTheirHeadersOrBodiesKeepNobodyElseWaiting() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService slow = Executors.newFixedThreadPool(SLOW);
        List<Socket> sockets = new CopyOnWriteArrayList<>();
        try {
            for (int i = 0; i < SLOW; i++) {
                boolean body = i % 2 == 0;
                slow.submit(() -> trickle(body, sockets, done));
            }
            waitUntil(() -> sockets.size() == SLOW);
            Thread.sleep(300); // all of them inside a request now

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                statuses.add(http.send(HttpRequest.newBuilder(url(server, "/healthz"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            }

            assertThat(statuses).as("every request answered while %d slow clients hold connections", SLOW)
                    .hasSize(30).containsOnly(200);
        } finally {
            done.set(true);
            sockets.forEach(SlowClientsTest::closeQuietly);
            slow.shutdownNow();
        }
    }

    @Test
    void oneAddressCannotHoldMoreThanItsShareOfConnections() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < ServerSettings.DEFAULT_CONNECTIONS_PER_CLIENT; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), capped.address().getPort());
                held.add(socket);
                assertThat(askHealthz(socket)).as("connection %d is served and kept open", i + 1).contains("ok");
            }
            try (Socket oneMore = new Socket(InetAddress.getLoopbackAddress(), capped.address().getPort())) {
                oneMore.setSoTimeout(5_000);
                oneMore.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(readOrEnd(oneMore.getInputStream())).as("closed without an answer").isEqualTo(-1);
            }
        } finally {
            held.forEach(SlowClientsTest::closeQuietly);
        }
        waitUntil(() -> healthz(capped) == 200); // the slots are free again once those closed
    }

    @Test
    void headIsAnsweredLikeGetWithoutTheBody() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(url(server, "/u/not-a-token")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(url(server, "/u/not-a-token"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(head.statusCode()).isEqualTo(get.statusCode()).isEqualTo(400);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Length")).isEqualTo(get.headers().firstValue("Content-Length"));
        assertThat(head.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    /** Sends a request one line (or one body byte) a second until told to stop. */
    private static void trickle(boolean body, List<Socket> sockets, AtomicBoolean done) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            sockets.add(socket);
            OutputStream out = socket.getOutputStream();
            String head = body ? "POST /u/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                    : "GET /healthz HTTP/1.1\r\nHost: x\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (!done.get()) {
                out.write(body ? "a".getBytes(StandardCharsets.US_ASCII)
                        : "X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(1000);
            }
        } catch (IOException | InterruptedException e) {
            // cut off by the server, or by the test at its end
        }
    }

    private static int healthz(FeedbackServer target) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(url(target, "/healthz"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** One keep-alive request on a raw socket: the answer's text (ends with the body "ok"). */
    private static String askHealthz(Socket socket) throws IOException {
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        StringBuilder answer = new StringBuilder();
        InputStream in = socket.getInputStream();
        while (!answer.toString().endsWith("ok\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            answer.append((char) b);
        }
        return answer.toString();
    }

    private static int readOrEnd(InputStream in) {
        try {
            return in.read();
        } catch (IOException reset) {
            return -1;
        }
    }

    private static URI url(FeedbackServer target, String path) {
        return URI.create("http://127.0.0.1:" + target.address().getPort() + path);
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waited 20 s").isNegative();
            Thread.sleep(50);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
