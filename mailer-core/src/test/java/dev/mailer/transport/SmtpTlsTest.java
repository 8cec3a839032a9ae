package dev.mailer.transport;

import static dev.mailer.transport.SmtpConnectionTest.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.transport.SendResult.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SMTP over real TLS (SPEC §2): STARTTLS required by default, implicit TLS, AUTH only inside
 * TLS, the certificate and the host name checked, and the password in no result text.
 *
 * <p>The certificates are made fresh by the JDK's keytool for every run, so nothing secret or
 * expiring is checked in; the client trusts exactly the certificate under test, never "all".
 */
class SmtpTlsTest {

    private static final String VERP = "bounces+c9.k7@kawiarnia.example";
    private static final String USER = "bounces@kawiarnia.example";
    /** Characters that must be percent-encoded in the URL, to prove the decoding end to end. */
    private static final String PASSWORD = "p@ss:w/rd%1";
    private static final String USER_INFO = "bounces%40kawiarnia.example:p%40ss%3Aw%2Frd%251";

    @TempDir
    static Path keys;

    /** Issued to localhost and 127.0.0.1, the names the tests connect to. */
    private static TestCertificate localhost;
    /** Valid in itself, but issued to another host. */
    private static TestCertificate otherHost;

    private FaultySmtpServer server;

    @BeforeAll
    static void makeCertificates() throws Exception {
        localhost = TestCertificate.generate(keys, "localhost", "dns:localhost,ip:127.0.0.1");
        otherHost = TestCertificate.generate(keys, "other.example", "dns:other.example");
    }

    @BeforeEach
    void startServer() throws IOException {
        server = FaultySmtpServer.start();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "LOGIN"})
    void startTlsThenAuthSendsEveryMessageByteForByteOverOneSession(String mechanism) {
        server.startTls(localhost.serverContext()).requireAuth(USER, PASSWORD).authMechanisms(mechanism);

        try (SmtpConnection connection = trusting(localhost, "smtp://" + USER_INFO + "@127.0.0.1:" + server.port()
                + "?tls=starttls&timeout=5")) {
            for (int i = 0; i < 5; i++) {
                SendResult result = connection.send(VERP, "jan" + i + "@example.com", message(i));
                assertThat(result.outcome()).as("message %d: %s", i, result).isEqualTo(Outcome.SENT);
            }
        }

        assertThat(server.connectionsOpened()).isEqualTo(1);
        assertThat(server.authFailures()).isZero();
        List<FaultySmtpServer.Received> received = server.received();
        assertThat(received).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(received.get(i).data()).isEqualTo(message(i));
            assertThat(received.get(i).overTls()).isTrue();
            assertThat(received.get(i).authenticated()).isEqualTo(USER);
        }
    }

    @Test
    void starttlsIsTheDefaultAndRequired() {
        SmtpRelay relay = SmtpRelay.parse("smtp://" + USER_INFO + "@127.0.0.1:" + server.port() + "?timeout=5");
        assertThat(relay.tls()).isEqualTo(SmtpRelay.Tls.STARTTLS);
        server.requireAuth(USER, PASSWORD); // but no STARTTLS: AUTH is offered in plain text

        try (SmtpConnection connection = new SmtpConnection(relay, localhost.clientSockets())) {
            SendResult result = connection.send(VERP, "jan@example.com", message(1));
            assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
            assertThat(result.reply()).contains("STARTTLS").doesNotContain(PASSWORD);
        }
        // no login tried and nothing accepted: the credentials never went out unencrypted
        assertThat(server.authFailures()).isZero();
        assertThat(server.received()).isEmpty();

        server.startTls(localhost.serverContext());
        try (SmtpConnection connection = new SmtpConnection(relay, localhost.clientSockets())) {
            assertThat(connection.send(VERP, "jan@example.com", message(2)).outcome()).isEqualTo(Outcome.SENT);
        }
        assertThat(server.received()).singleElement().satisfies(r -> assertThat(r.overTls()).isTrue());
    }

    @Test
    void smtpsSpeaksTlsFromTheFirstByte() {
        server.implicitTls(localhost.serverContext()).requireAuth(USER, PASSWORD);

        try (SmtpConnection connection = trusting(localhost,
                "smtps://" + USER_INFO + "@127.0.0.1:" + server.port() + "?timeout=5")) {
            for (int i = 0; i < 3; i++) {
                assertThat(connection.send(VERP, "jan@example.com", message(i)).outcome()).isEqualTo(Outcome.SENT);
            }
        }

        assertThat(server.connectionsOpened()).isEqualTo(1);
        assertThat(server.received()).hasSize(3).allSatisfy(r -> {
            assertThat(r.overTls()).isTrue();
            assertThat(r.authenticated()).isEqualTo(USER);
        });
        assertThat(server.received().get(2).data()).isEqualTo(message(2));
    }

    @Test
    void aCertificateTheJvmDoesNotTrustIsRefused() throws IOException {
        server.startTls(localhost.serverContext()).requireAuth(USER, PASSWORD);
        try (FaultySmtpServer smtps = FaultySmtpServer.start()) {
            smtps.implicitTls(localhost.serverContext()).requireAuth(USER, PASSWORD);

            // the public constructor: the JVM's default trust store, which knows nothing of this certificate
            for (String url : List.of(
                    "smtp://" + USER_INFO + "@127.0.0.1:" + server.port() + "?tls=starttls&timeout=5",
                    "smtps://" + USER_INFO + "@127.0.0.1:" + smtps.port() + "?timeout=5")) {
                try (SmtpConnection connection = new SmtpConnection(SmtpRelay.parse(url))) {
                    SendResult result = connection.send(VERP, "jan@example.com", message(1));

                    assertThat(result.outcome()).as(url).isEqualTo(Outcome.CONNECTION);
                    assertThat(result.reply()).as(url)
                            .contains("SSLHandshakeException", "certification path")
                            .doesNotContain(PASSWORD);
                    assertThat(connection.isOpen()).isFalse();
                }
            }
            assertThat(smtps.received()).isEmpty();
            assertThat(smtps.authFailures()).isZero();
        }
        assertThat(server.received()).isEmpty();
        assertThat(server.authFailures()).isZero();
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefused() {
        server.startTls(otherHost.serverContext()).requireAuth(USER, PASSWORD);

        // the client trusts this very certificate: only the host name check can refuse it
        try (SmtpConnection connection = trusting(otherHost, "smtp://" + USER_INFO + "@127.0.0.1:" + server.port()
                + "?tls=starttls&timeout=5")) {
            SendResult result = connection.send(VERP, "jan@example.com", message(1));

            assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
            assertThat(result.reply()).contains("SSLHandshakeException", "127.0.0.1")
                    .containsIgnoringCase("subject alternative names")
                    .doesNotContain(PASSWORD);
        }
        assertThat(server.received()).isEmpty();
        assertThat(server.authFailures()).isZero();
    }

    @Test
    void aWrongPasswordIsARelayFailureThatNamesNoPassword() {
        server.startTls(localhost.serverContext()).requireAuth(USER, PASSWORD);
        String wrong = "Wr0ng-S3cret";

        try (SmtpConnection connection = trusting(localhost, "smtp://bounces%40kawiarnia.example:" + wrong
                + "@127.0.0.1:" + server.port() + "?tls=starttls&timeout=5")) {
            SendResult result = connection.send(VERP, "jan@example.com", message(1));

            // not a bounce of jan@: the relay is unusable until someone fixes the configuration
            assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
            assertThat(result.code()).isEqualTo(535);
            assertThat(result.enhancedStatus()).isEqualTo("5.7.8");
            assertThat(result.reply()).doesNotContain(wrong).doesNotContain(PASSWORD);
            assertThat(result.toString()).doesNotContain(wrong);
            assertThat(connection.isOpen()).isFalse();
        }
        assertThat(server.authFailures()).isEqualTo(1);
        assertThat(server.received()).isEmpty();
    }

    @Test
    void aServerReplyThatEchoesThePasswordIsMasked() {
        server.startTls(localhost.serverContext()).requireAuth(USER, PASSWORD)
                .rcptReply("jan@example.com", "550 5.7.1 not for " + PASSWORD);

        try (SmtpConnection connection = trusting(localhost, "smtp://" + USER_INFO + "@127.0.0.1:" + server.port()
                + "?tls=starttls&timeout=5")) {
            SendResult result = connection.send(VERP, "jan@example.com", message(1));

            assertThat(result.outcome()).isEqualTo(Outcome.PERMANENT);
            assertThat(result.reply()).isEqualTo("550 5.7.1 not for ***");
        }
    }

    @Test
    void thePoolFailsOverFromARelayThatRefusesTheLoginAndStopsTryingIt() {
        server.startTls(localhost.serverContext()).requireAuth(USER, PASSWORD);
        String base = "@127.0.0.1:" + server.port() + "?tls=starttls&timeout=5&connections=1";
        SmtpRelay refused = SmtpRelay.parse("smtp://bounces%40kawiarnia.example:outdated" + base);
        SmtpRelay good = SmtpRelay.parse("smtp://" + USER_INFO + base);

        try (SmtpPool pool = new SmtpPool(List.of(refused, good), Duration.ofMinutes(1), localhost.clientSockets())) {
            for (int i = 0; i < 8; i++) {
                SmtpConnection c = pool.borrow(Duration.ofSeconds(5));
                try {
                    assertThat(c).isNotNull();
                    assertThat(c.relay()).isSameAs(good);
                    assertThat(c.send(VERP, "jan@example.com", message(i)).outcome()).isEqualTo(Outcome.SENT);
                } finally {
                    pool.release(c);
                }
            }
            assertThat(pool.anyRelayUsable()).isTrue();
            assertThat(pool.refusedForGood()).as("another relay still works").isEmpty();
        }
        // a refused login is not tried again by this pool (retrying locks accounts at real providers)
        assertThat(server.authFailures()).isEqualTo(1);
        assertThat(server.received()).hasSize(8).allSatisfy(r -> assertThat(r.authenticated()).isEqualTo(USER));
    }

    @Test
    void aRelayThatWantsALoginNobodyGaveIsARelayFailureNotABounce() {
        server.startTls(localhost.serverContext()).requireAuth(USER, PASSWORD);

        try (SmtpConnection connection = trusting(localhost,
                "smtp://127.0.0.1:" + server.port() + "?tls=starttls&timeout=5")) {
            SendResult result = connection.send(VERP, "jan@example.com", message(1));

            assertThat(result.outcome()).isEqualTo(Outcome.CONNECTION);
            assertThat(result.code()).isEqualTo(530);
            assertThat(result.reply()).startsWith("530 5.7.0");
            assertThat(connection.isOpen()).isFalse();
        }
        assertThat(server.received()).isEmpty();
    }

    @Test
    void thePoolKeepsItsTlsSessionsForManyMessages() {
        server.startTls(localhost.serverContext()).requireAuth(USER, PASSWORD);
        SmtpRelay relay = SmtpRelay.parse("smtp://" + USER_INFO + "@127.0.0.1:" + server.port()
                + "?tls=starttls&timeout=5&connections=2");

        try (SmtpPool pool = new SmtpPool(List.of(relay), SmtpPool.DEFAULT_COOL_DOWN, localhost.clientSockets())) {
            for (int i = 0; i < 50; i++) {
                SmtpConnection c = pool.borrow(Duration.ofSeconds(5));
                try {
                    assertThat(c.send(VERP, "jan@example.com", message(i)).outcome()).isEqualTo(Outcome.SENT);
                } finally {
                    pool.release(c);
                }
            }
        }
        assertThat(server.connectionsOpened()).isEqualTo(1); // one borrower at a time: one handshake
        assertThat(server.received()).hasSize(50).allSatisfy(r -> assertThat(r.overTls()).isTrue());
    }

    private static SmtpConnection trusting(TestCertificate certificate, String url) {
        return new SmtpConnection(SmtpRelay.parse(url), certificate.clientSockets());
    }
}
