package dev.mailer.transport;

import static dev.mailer.transport.SmtpConnectionTest.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.transport.SendResult.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SmtpPoolTest {

    private static final String VERP = "bounces+c1.k1@kawiarnia.example";

    private FaultySmtpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = FaultySmtpServer.start();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    @Test
    void lendsAtMostConnectionsPerRelayAndReusesThem() {
        try (SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(server.url("connections=2"))))) {
            assertThat(pool.totalConnections()).isEqualTo(2);
            SmtpConnection a = pool.borrow(Duration.ofSeconds(1));
            SmtpConnection b = pool.borrow(Duration.ofSeconds(1));
            assertThat(a).isNotNull().isNotSameAs(b);
            assertThat(b).isNotNull();
            assertThat(a.isOpen()).isTrue(); // opened before being lent

            long start = System.nanoTime();
            assertThat(pool.borrow(Duration.ofMillis(200))).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));

            pool.release(a);
            assertThat(pool.borrow(Duration.ofSeconds(1))).isSameAs(a);
            pool.release(a);
            pool.release(b);
            assertThatThrownBy(() -> pool.release(b)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(server.connectionsOpened()).isEqualTo(2);
    }

    @Test
    void aWaitingBorrowerGetsTheNextReleasedConnection() throws Exception {
        try (SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(server.url("connections=1"))))) {
            SmtpConnection only = pool.borrow(Duration.ofSeconds(1));
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<SmtpConnection> waiting = other.submit(() -> pool.borrow(Duration.ofSeconds(5)));
                Thread.sleep(200);
                assertThat(waiting).isNotDone();
                pool.release(only);
                assertThat(waiting.get(5, TimeUnit.SECONDS)).isSameAs(only);
                pool.release(only);
            } finally {
                other.shutdownNow();
            }
        }
    }

    @Test
    void manySendersShareAFewLongLivedConnections() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        try (SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(server.url("connections=3"))))) {
            ExecutorService senders = Executors.newFixedThreadPool(6);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                work.add(senders.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        SmtpConnection c = pool.borrow(Duration.ofSeconds(5));
                        try {
                            if (c.send(VERP, "jan@example.com", message(i)).sent()) {
                                sent.incrementAndGet();
                            }
                        } finally {
                            pool.release(c);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(20, TimeUnit.SECONDS);
            }
            senders.shutdown();
        }
        assertThat(sent).hasValue(300);
        assertThat(server.received()).hasSize(300);
        assertThat(server.connectionsOpened()).isBetween(1, 3);
    }

    @Test
    void failsOverToTheNextRelayWhenTheFirstRefusesConnections() throws IOException {
        SmtpRelay dead = SmtpRelay.parse("smtp://127.0.0.1:" + closedPort() + "?tls=none&timeout=2");
        SmtpRelay alive = SmtpRelay.parse(server.url("connections=2"));
        try (SmtpPool pool = new SmtpPool(List.of(dead, alive))) {
            for (int i = 0; i < 8; i++) { // past the point where the dead relay's breaker opens
                SmtpConnection c = pool.borrow(Duration.ofSeconds(2));
                try {
                    assertThat(c).isNotNull();
                    assertThat(c.relay()).isSameAs(alive);
                    assertThat(c.send(VERP, "jan@example.com", message(i)).outcome()).isEqualTo(Outcome.SENT);
                } finally {
                    pool.release(c);
                }
            }
            assertThat(pool.anyRelayUsable()).isTrue();
            assertThat(pool.unusableFor()).isZero();
        }
        assertThat(server.received()).hasSize(8);
    }

    @Test
    void laterRelaysTakeTheOverflowInOrder() throws IOException {
        try (FaultySmtpServer second = FaultySmtpServer.start();
                SmtpPool pool = new SmtpPool(List.of(
                        SmtpRelay.parse(server.url("connections=1")), SmtpRelay.parse(second.url("connections=1"))))) {
            SmtpConnection first = pool.borrow(Duration.ofSeconds(1));
            SmtpConnection overflow = pool.borrow(Duration.ofSeconds(1));

            assertThat(first.relay().port()).isEqualTo(server.port());
            assertThat(overflow.relay().port()).isEqualTo(second.port());
            pool.release(first);
            pool.release(overflow);
        }
    }

    @Test
    void noRelayIsUsableWhenAllRefuseConnections() throws IOException {
        List<SmtpRelay> relays = List.of(
                SmtpRelay.parse("smtp://127.0.0.1:" + closedPort() + "?tls=none&timeout=2"),
                SmtpRelay.parse("smtp://127.0.0.1:" + closedPort() + "?tls=none&timeout=2"));
        try (SmtpPool pool = new SmtpPool(relays)) {
            assertThat(pool.anyRelayUsable()).isTrue();

            long start = System.nanoTime();
            assertThat(pool.borrow(Duration.ofSeconds(1))).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            assertThat(pool.anyRelayUsable()).isFalse();
            assertThat(pool.unusableFor()).isPositive();
        }
    }

    @Test
    void aRelayIsTriedAgainAfterItsCoolDown() throws InterruptedException {
        server.greeting("421 4.3.2 faulty.test Service not available");
        try (SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(server.url("timeout=2"))), Duration.ofMillis(300))) {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pool.anyRelayUsable() && System.nanoTime() < giveUp) {
                assertThat(pool.borrow(Duration.ofMillis(100))).isNull();
            }
            assertThat(pool.anyRelayUsable()).isFalse();
            assertThat(server.connectionsOpened()).isGreaterThanOrEqualTo(SmtpPool.FAILURES_TO_OPEN);

            server.greeting("220 faulty.test ESMTP ready");
            Thread.sleep(400);
            SmtpConnection c = pool.borrow(Duration.ofSeconds(2));
            assertThat(c).isNotNull();
            assertThat(c.send(VERP, "jan@example.com", message(1)).outcome()).isEqualTo(Outcome.SENT);
            pool.release(c);
            assertThat(pool.anyRelayUsable()).isTrue();
            assertThat(pool.unusableFor()).isZero();
        }
    }

    @Test
    void aClosedPoolLendsNothing() {
        SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(server.url(""))));
        SmtpConnection c = pool.borrow(Duration.ofSeconds(1));
        pool.close();
        assertThatThrownBy(() -> pool.borrow(Duration.ofMillis(10))).isInstanceOf(IllegalStateException.class);
        pool.release(c);
        assertThat(c.isOpen()).isFalse();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
