package dev.mailer.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.error.ErrorKind;
import dev.mailer.store.TestDatabase;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.FaultySmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refusals that are not the recipient's fault, at send time, on a real PostgreSQL and a
 * fault-injecting SMTP server (SPEC §6a): a relay that refuses the sender holds the rows (no
 * failure, no bounce, nobody suppressed), stops trying after a few, and the next run sends them;
 * a throttling relay never fails anyone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SenderFaultTest {
    private static final String SES_REFUSAL = "554 Message rejected: Email address is not verified. The following"
            + " identities failed the check in region EU-WEST-1: news@kawiarnia.example";

    @TempDir
    Path templates;
    private TestDatabase db;
    private CampaignFixture campaign;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.fresh();
        campaign = CampaignFixture.create(templates, "held-2026-12");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aRelayThatRefusesTheSenderHoldsEveryRowAfterAFewTriesAndTheNextRunSendsThem() throws Exception {
        List<String> eligible = campaign.importContacts(db, 300, 0);
        int tried;
        try (FaultySmtpServer refusing = FaultySmtpServer.start()) {
            eligible.forEach(email -> refusing.dataReply(email, SES_REFUSAL));

            RunResult result = campaign.run(db, refusing.url("connections=4"), CampaignRun.Options.defaults());

            tried = refusing.received().size() + countRefusedAtData(refusing);
            assertThat(tried).as("a few refusals, plus what was already on the 4 connections")
                    .isLessThanOrEqualTo(SenderFaults.UNAMBIGUOUS + 4);
            assertThat(result.stoppedBy()).isEqualTo(ErrorKind.SENDER_REFUSED);
            assertThat(result.reason()).contains("refuses the sender", "Email address is not verified",
                    "verify the sender's address or domain in SES", "300 messages are held");
            assertThat(List.of(result.report().sent(), result.report().failed(), result.report().held()))
                    .containsExactly(0L, 0L, 300L);
            assertThat(result.report().warnings()).singleElement().satisfies(w -> {
                assertThat(w.code()).isEqualTo("sender_fault");
                assertThat(w.domain()).isEqualTo("example.com");
                assertThat(w.count()).isEqualTo(300);
                assertThat(w.reply()).startsWith("554 Message rejected");
            });
        }
        assertThat(db.count("select count(*) from suppression")).as("nobody suppressed").isZero();
        assertThat(db.count("select count(*) from feedback_event")).as("no bounce recorded").isZero();
        assertThat(db.rows("select status, count(*) from delivery group by status"))
                .containsExactly(List.of("held", "300"));

        try (FaultySmtpServer fixed = FaultySmtpServer.start()) {
            RunResult again = campaign.run(db, fixed.url("connections=4"), CampaignRun.Options.defaults());

            assertThat(again.stoppedBy()).isNull();
            assertThat(fixed.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(again.report().held()).isZero();
        }
        System.out.printf("SenderFaultTest: a relay refusing the sender was tried %d times for 300 recipients"
                + " before the run held the rest%n", tried);
    }

    @Test
    void aThrottlingRelayDefersButNeverFailsAnyone() throws Exception {
        List<String> eligible = campaign.importContacts(db, 6, 0);
        CampaignRun.Options threeTries = CampaignRun.Options.builder().maxAttempts(3)
                .firstRetry(Duration.ofMillis(50)).waitForDeferred(Duration.ofSeconds(30)).build();
        try (FaultySmtpServer throttling = FaultySmtpServer.start()) {
            throttling.dataReply(eligible.get(2), "454 Throttling failure: Maximum sending rate exceeded.", 5);

            RunResult result = campaign.run(db, throttling.url("connections=2"), threeTries, new Throttle(null, Map.of()),
                    null, RateLimitTest.QUICK);

            assertThat(result.stoppedBy()).isNull();
            assertThat(throttling.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(List.of(result.report().sent(), result.report().failed())).containsExactly(6L, 0L);
            assertThat(db.count("select attempts from delivery d join contact c on c.id = d.contact_id"
                    + " where c.email_norm = ?", eligible.get(2))).as("more tries than maxAttempts").isEqualTo(6);
        }
    }

    @Test
    void aRefusedPasswordStopsTheRunAtOnceNamingTheCauseAndIsNotTriedAgainAndAgain() throws Exception {
        campaign.importContacts(db, 20, 0);
        try (FaultySmtpServer relay = FaultySmtpServer.start()) {
            relay.requireAuth("news", "right-password");
            String url = "smtp://news:wrong-password@127.0.0.1:" + relay.port() + "?tls=none&connections=4";

            RunResult result = campaign.run(db, url, CampaignRun.Options.defaults());

            assertThat(result.stoppedBy()).isEqualTo(ErrorKind.NO_RELAY);
            assertThat(result.reason()).contains("no SMTP relay can be used", "535").doesNotContain("wrong-password");
            assertThat(relay.authFailures()).as("one try per connection at most, not a loop").isLessThanOrEqualTo(4);
            assertThat(db.rows("select status, count(*) from delivery group by status"))
                    .containsExactly(List.of("pending", "20"));
        }
    }

    @Test
    void aRelayThatDemandsALoginOrStartTlsTheUrlDoesNotGiveStopsTheRunAtOnceSayingWhatToChange() throws Exception {
        campaign.importContacts(db, 6, 0);
        var certificate = dev.mailer.transport.TestCertificate.generate(templates, "localhost", "dns:localhost,ip:127.0.0.1");
        try (FaultySmtpServer loginRelay = FaultySmtpServer.start(); FaultySmtpServer tlsRelay = FaultySmtpServer.start();
             FaultySmtpServer plainRelay = FaultySmtpServer.start()) {
            loginRelay.requireAuth("news", "secret");
            tlsRelay.startTls(certificate.serverContext()).requireTls();

            RunResult noLogin = campaign.run(db, loginRelay.url("connections=2"), CampaignRun.Options.defaults());
            RunResult noTls = campaign.run(db, tlsRelay.url("connections=2"), CampaignRun.Options.defaults());
            RunResult noStartTls = campaign.run(db, "smtp://127.0.0.1:" + plainRelay.port() + "?tls=starttls",
                    CampaignRun.Options.defaults());

            assertThat(noLogin.stoppedBy()).isEqualTo(ErrorKind.NO_RELAY);
            assertThat(noLogin.reason()).contains("530", "demands a login and the URL has none");
            assertThat(noTls.stoppedBy()).isEqualTo(ErrorKind.NO_RELAY);
            assertThat(noTls.reason()).contains("Must issue a STARTTLS", "remove tls=none");
            assertThat(noStartTls.stoppedBy()).isEqualTo(ErrorKind.NO_RELAY);
            assertThat(noStartTls.reason()).contains("does not offer STARTTLS");
            assertThat(db.count("select count(*) from delivery where status in ('failed', 'held', 'sent')"))
                    .as("nothing failed or held for it").isZero();
            assertThat(db.count("select count(*) from delivery where status = 'deferred'"
                    + " and next_attempt_at > now()")).as("what was tried is due again at once").isZero();
        }
    }

    @Test
    void aRelayWhoseCertificateIsNotTrustedStopsTheRunAtOnceSayingSo() throws Exception {
        campaign.importContacts(db, 5, 0);
        var certificate = dev.mailer.transport.TestCertificate.generate(templates, "localhost", "dns:localhost,ip:127.0.0.1");
        try (FaultySmtpServer relay = FaultySmtpServer.start()) {
            relay.startTls(certificate.serverContext());

            RunResult result = campaign.run(db, "smtp://127.0.0.1:" + relay.port() + "?tls=starttls&connections=2",
                    CampaignRun.Options.defaults());

            assertThat(result.stoppedBy()).isEqualTo(ErrorKind.NO_RELAY);
            assertThat(result.reason()).contains("no SMTP relay can be used", "certification path", "tls-ca");
            assertThat(relay.received()).isEmpty();
        }
    }

    /** Messages the server refused after DATA (not in received()). */
    private static int countRefusedAtData(FaultySmtpServer server) {
        return server.dataRefusals();
    }
}
