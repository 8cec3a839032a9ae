package dev.mailer.campaign;

import dev.mailer.throttle.Rate;
import dev.mailer.message.MailboxAddress;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.error.ErrorKind;
import dev.mailer.store.TestDatabase;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.FaultySmtpServer;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sending: contacts imported into a real PostgreSQL, the real consent gate, the real pool
 * talking SMTP to GreenMail or to the fault-injecting test server. Every test checks what the
 * server received and what the delivery rows say.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CampaignRunTest {
    /** Retries of deferred rows are due only after Backoff's ~48 s or more: this run does not wait for them. */
    private static final CampaignRun.Options NO_WAITING_FOR_DEFERRED = CampaignRun.Options.builder()
            .waitForDeferred(Duration.ofSeconds(1)).build();

    @TempDir
    Path templates;
    private TestDatabase db;
    private CampaignFixture campaign;
    private CampaignSpec spec;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.fresh();
        campaign = CampaignFixture.create(templates, "news-2026-12");
        spec = campaign.spec();
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    // --- the tests --------------------------------------------------------------------------------

    @Test
    void sendsEveryEligibleContactOnceAndARerunSendsNothingNew() throws Exception {
        List<String> eligible = importContacts(40, 10);
        GreenMail greenMail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        greenMail.start();
        try {
            String url = "smtp://127.0.0.1:" + greenMail.getSmtp().getPort() + "?tls=none&connections=4";

            RunResult first = run(url, CampaignRun.Options.defaults());

            assertThat(first.stoppedBy()).isNull();
            MimeMessage[] received = greenMail.getReceivedMessages();
            assertThat(received).hasSize(40);
            List<String> to = new ArrayList<>();
            Map<String, String> messageIdByRecipient = new HashMap<>();
            for (MimeMessage message : received) {
                assertThat(message.getAllRecipients()).hasSize(1);
                String recipient = ((InternetAddress) message.getAllRecipients()[0]).getAddress();
                to.add(recipient);
                messageIdByRecipient.put(recipient, message.getMessageID());
                assertThat(message.getSubject()).isEqualTo(CampaignFixture.SUBJECT);
                assertThat(message.getHeader("List-Unsubscribe")).isNotNull();
            }
            assertThat(to).as("each eligible contact exactly once, nobody else").containsExactlyInAnyOrderElementsOf(eligible);

            List<Map<String, Object>> rows = deliveries();
            assertThat(rows).hasSize(40);
            for (Map<String, Object> row : rows) {
                assertThat(row.get("status")).isEqualTo("sent");
                assertThat(row.get("smtp_code")).isEqualTo(250L);
                assertThat((String) row.get("smtp_reply")).startsWith("250");
                assertThat(row.get("message_id")).as("the Message-ID the server got")
                        .isNotNull().isEqualTo(messageIdByRecipient.get((String) row.get("email")));
                assertThat(row.get("attempts")).isEqualTo(1L);
                assertThat(row.get("sent_at")).isNotNull();
                assertThat(row.get("lease_owner")).isNull();
            }
            SendReport report = first.report();
            assertThat(report.dryRun()).isFalse();
            assertThat(report.considered()).isEqualTo(50);
            assertThat(report.eligible()).isEqualTo(40);
            assertThat(report.excluded()).containsEntry("no_consent", 10L);
            assertThat(List.of(report.sent(), report.failed(), report.deferred(), report.unknown()))
                    .containsExactly(40L, 0L, 0L, 0L);
            assertThat(db.rows("select status from campaign where name = ?", spec.name()))
                    .containsExactly(List.of("finished"));

            RunResult second = run(url, CampaignRun.Options.defaults());

            assertThat(second.stoppedBy()).isNull();
            assertThat(greenMail.getReceivedMessages()).as("nothing new at the server").hasSize(40);
            assertThat(second.report().sent()).isEqualTo(40);
            assertThat(second.report().eligible()).isZero();
            assertThat(second.report().excluded()).containsEntry("already_sent", 40L);
            assertThat(db.count("select count(*) from delivery")).isEqualTo(40);
            assertThat(db.count("select count(*) from delivery where status = 'sent' and attempts = 1")).isEqualTo(40);
        } finally {
            greenMail.stop();
        }
    }

    @Test
    void aHardBounceAtRcptFailsTheRecipientAndSuppressesTheAddress() throws Exception {
        List<String> eligible = importContacts(10, 2);
        String unknown = eligible.get(3);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            server.rcptReply(unknown, "550 5.1.1 <" + unknown + ">: Recipient address rejected: User unknown");

            RunResult result = run(server.url("connections=4"), CampaignRun.Options.defaults());

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(without(eligible, unknown));
            Map<String, Object> row = delivery(unknown);
            assertThat(row.get("status")).isEqualTo("failed");
            assertThat(row.get("smtp_code")).isEqualTo(550L);
            assertThat(row.get("enhanced_status")).isEqualTo("5.1.1");
            assertThat((String) row.get("smtp_reply")).startsWith("550 5.1.1").contains("User unknown");
            assertThat(row.get("sent_at")).isNull();
            assertThat(db.count("select count(*) from delivery where status = 'sent'")).isEqualTo(9);
            assertThat(result.report().failed()).isEqualTo(1);
            assertThat(result.report().sent()).isEqualTo(9);

            assertThat(db.rows("select email_norm, reason from suppression"))
                    .containsExactly(List.of(unknown, "bounced"));
            assertThat(db.maps("select f.type, f.hard, f.status, c.email_norm as email from feedback_event f"
                    + " join contact c on c.id = f.contact_id"))
                    .containsExactly(Map.of("type", "bounce", "hard", true, "status", "5.1.1", "email", unknown));

            SendReport gate = new DryRun(db.engine().campaignPorts()).gateOnly(spec);
            assertThat(gate.excluded()).containsEntry("suppressed_bounced", 1L);
        }
    }

    @Test
    void aMailboxFullReplyFailsTheRecipientAsASoftBounceWithoutSuppression() throws Exception {
        List<String> eligible = importContacts(10, 0);
        String full = eligible.get(5);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            server.dataReply(full, "552 5.2.2 <" + full + ">: Mailbox full");

            RunResult result = run(server.url("connections=4"), CampaignRun.Options.defaults());

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(without(eligible, full));
            Map<String, Object> row = delivery(full);
            assertThat(row.get("status")).isEqualTo("failed");
            assertThat(row.get("smtp_code")).isEqualTo(552L);
            assertThat(row.get("enhanced_status")).isEqualTo("5.2.2");
            assertThat(result.report().failed()).isEqualTo(1);
            assertThat(result.report().sent()).isEqualTo(9);

            assertThat(db.maps("select f.type, f.hard, f.status, c.email_norm as email from feedback_event f"
                    + " join contact c on c.id = f.contact_id"))
                    .containsExactly(Map.of("type", "bounce", "hard", false, "status", "5.2.2", "email", full));
            assertThat(db.count("select count(*) from suppression")).isZero();
            assertThat(new DryRun(db.engine().campaignPorts()).gateOnly(spec).excluded()).containsEntry("suppressed_bounced", 0L);
        }
    }

    @Test
    void a451AfterDataDefersThatRecipientAndSendsEveryoneElse() throws Exception {
        List<String> eligible = importContacts(20, 0);
        String busy = eligible.get(7);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            server.dataReply(busy, "451 4.3.0 Try again later");
            Instant before = Instant.now();

            RunResult result = run(server.url("connections=4"), NO_WAITING_FOR_DEFERRED);

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(without(eligible, busy));
            Map<String, Object> row = delivery(busy);
            assertThat(row.get("status")).isEqualTo("deferred");
            assertThat(row.get("attempts")).isEqualTo(1L);
            assertThat(row.get("smtp_code")).isEqualTo(451L);
            assertThat(row.get("enhanced_status")).isEqualTo("4.3.0");
            assertThat((Instant) row.get("next_attempt_at"))
                    .isAfter(before.plusSeconds(30))
                    .isBefore(before.plus(Duration.ofMinutes(5)));
            assertThat(row.get("lease_owner")).isNull();
            assertThat(db.maps("select status, count(*) as n from delivery group by status order by status"))
                    .containsExactly(Map.of("status", "deferred", "n", 1L), Map.of("status", "sent", "n", 19L));
            assertThat(db.count("select count(*) from delivery where status = 'sent' and queue_id like 'Q%'"))
                    .as("queue ids parsed from the 250 replies").isEqualTo(19);
            assertThat(result.report().deferred()).isEqualTo(1);
            assertThat(Instant.parse(result.report().nextAttemptAt()))
                    .as("the summary says when the deferred row is due").isAfter(before.plusSeconds(29));
            assertThat(result.report().pending()).isZero();
            assertThat(result.report().sent()).isEqualTo(19);
            assertThat(db.count("select count(*) from feedback_event")).isZero();
            assertThat(db.rows("select status from campaign where name = ?", spec.name()))
                    .containsExactly(List.of("paused"));
        }
    }

    @Test
    void aLimitSendsExactlyThatManyAndTheNextRunSendsTheRest() throws Exception {
        List<String> eligible = importContacts(30, 5);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            RunResult canary = run(server.url("connections=4"), CampaignRun.Options.defaults().withLimit(10L));

            assertThat(canary.stoppedBy()).isNull();
            assertThat(server.recipients()).hasSize(10).doesNotHaveDuplicates().isSubsetOf(eligible);
            assertThat(canary.report().sent()).isEqualTo(10);
            assertThat(db.count("select count(*) from delivery where status = 'sent'")).isEqualTo(10);
            assertThat(db.count("select count(*) from delivery where status = 'pending'")).isEqualTo(20);
            assertThat(canary.report().pending()).as("the summary says how many are left").isEqualTo(20);
            assertThat(canary.report().nextAttemptAt()).isNull();

            RunResult rest = run(server.url("connections=4"), CampaignRun.Options.defaults());

            assertThat(rest.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(rest.report().sent()).isEqualTo(30);
            assertThat(db.count("select count(*) from delivery where status = 'sent' and attempts = 1")).isEqualTo(30);
        }
    }

    @Test
    void anAudienceAddedInSlicesWhileSendingIsSentOnceAndALimitStillLeavesEveryoneQueued() throws Exception {
        List<String> eligible = importContacts(30, 5);
        // slices of three contacts and claims of four: the claims keep catching up with the slices
        CampaignRun.Options sliced = CampaignRun.Options.builder().enqueueSlice(3).claimBatch(4).build();
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            RunResult canary = run(server.url("connections=4"), sliced.withLimit(7L));

            assertThat(canary.stoppedBy()).isNull();
            assertThat(server.recipients()).hasSize(7).doesNotHaveDuplicates().isSubsetOf(eligible);
            assertThat(canary.report().pending()).as("the rest of the audience is queued all the same").isEqualTo(23);
            assertThat(List.of(canary.report().considered(), canary.report().eligible()))
                    .as("the gate's figures, from the slices").containsExactly(35L, 30L);
            assertThat(canary.report().excluded()).containsEntry("no_consent", 5L);

            RunResult rest = run(server.url("connections=4"), sliced);

            assertThat(rest.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(List.of(rest.report().eligible(), rest.report().excluded().get("already_sent")))
                    .as("rows were open: the gate's figures are taken before sending").containsExactly(23L, 7L);
            assertThat(db.count("select count(*) from delivery")).isEqualTo(30);
            assertThat(db.count("select count(*) from delivery where status = 'sent' and attempts = 1")).isEqualTo(30);
            assertThat(db.rows("select status from campaign where name = ?", spec.name()))
                    .containsExactly(List.of("finished"));
        }
    }

    @Test
    void aMessageInDoubtIsNotResentUnlessAskedTo() throws Exception {
        List<String> eligible = importContacts(20, 0);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            run(server.url("connections=4"), CampaignRun.Options.defaults().withLimit(5L));
            assertThat(server.recipients()).hasSize(5);
            // a sender died with this message on its SMTP connection: 'sending', its lease run out
            long inDoubtId = db.count("select min(id) from delivery where status = 'pending'");
            assertThat(db.update("update delivery set status = 'sending', attempts = 1, lease_owner = 'dead:1',"
                    + " lease_until = now() - interval '1 minute' where id = ?", inDoubtId)).isEqualTo(1);
            String inDoubt = (String) db.maps("select c.email_norm as email from delivery d"
                    + " join contact c on c.id = d.contact_id where d.id = ?", inDoubtId).get(0).get("email");

            RunResult resumed = run(server.url("connections=4"), CampaignRun.Options.defaults());

            assertThat(resumed.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(without(eligible, inDoubt));
            Map<String, Object> row = delivery(inDoubt);
            assertThat(row.get("status")).isEqualTo("unknown");
            assertThat(row.get("lease_owner")).as("who had it in flight").isEqualTo("dead:1");
            assertThat(row.get("attempts")).isEqualTo(1L);
            assertThat(List.of(resumed.report().sent(), resumed.report().unknown())).containsExactly(19L, 1L);

            RunResult again = run(server.url("connections=4"), CampaignRun.Options.defaults());
            assertThat(server.recipients()).as("still not resent").hasSize(19);
            assertThat(again.report().unknown()).isEqualTo(1);

            RunResult resend = run(server.url("connections=4"), CampaignRun.Options.defaults().withResendUnknown(true));

            assertThat(resend.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(delivery(inDoubt).get("status")).isEqualTo("sent");
            assertThat(delivery(inDoubt).get("attempts")).isEqualTo(2L);
            assertThat(List.of(resend.report().sent(), resend.report().unknown())).containsExactly(20L, 0L);
        }
    }

    @Test
    void twoSendersOfOneCampaignAtOnceSendEveryMessageExactlyOnce() throws Exception {
        List<String> eligible = importContacts(300, 0);
        // small claims, so that both senders get work while the other one holds some
        CampaignRun.Options options = CampaignRun.Options.builder().claimBatch(20).build();
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService senders = Executors.newFixedThreadPool(2);
            try {
                List<Future<RunResult>> runs = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    runs.add(senders.submit(() -> {
                        try (SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(server.url("connections=4"))))) {
                            CampaignRun run = new CampaignRun(db.engine().campaignPorts(), spec, campaign.messages(), pool,
                                    new Throttle(null, Map.of()), options, null);
                            start.await(10, TimeUnit.SECONDS);
                            return run.run();
                        }
                    }));
                }
                for (Future<RunResult> run : runs) {
                    assertThat(run.get(50, TimeUnit.SECONDS).stoppedBy()).isNull();
                }
            } finally {
                senders.shutdownNow();
            }

            List<String> received = server.recipients();
            assertThat(received).hasSize(300).doesNotHaveDuplicates();
            assertThat(received).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(db.count("select count(*) from delivery")).isEqualTo(300);
            assertThat(db.count("select count(*) from delivery where status = 'sent' and attempts = 1")).isEqualTo(300);
            assertThat(db.count("select count(*) from campaign_sender")).as("both unregistered").isZero();
            assertThat(server.connectionsOpened()).as("long-lived connections, at most 4 per sender")
                    .isBetween(1, 8);
        }
    }

    @Test
    void whenNoRelayTakesConnectionsTheRunStopsResumably() throws Exception {
        List<String> eligible = importContacts(40, 0);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        CampaignRun.Options giveUpSoon = CampaignRun.Options.builder()
                .noRelayLimit(Duration.ofSeconds(2)).build();

        RunResult result = run("smtp://127.0.0.1:" + closedPort + "?tls=none&connections=4", giveUpSoon);

        assertThat(result.stoppedBy()).isEqualTo(ErrorKind.NO_RELAY);
        assertThat(result.reason()).contains("no SMTP relay");
        assertThat(db.maps("select status, attempts, lease_owner from delivery"))
                .hasSize(40)
                .allSatisfy(row -> {
                    assertThat(row.get("status")).isEqualTo("pending");
                    assertThat(row.get("attempts")).isEqualTo(0L);
                    assertThat(row.get("lease_owner")).as("leases given back").isNull();
                });
        assertThat(List.of(result.report().sent(), result.report().failed(), result.report().deferred(),
                result.report().unknown())).containsExactly(0L, 0L, 0L, 0L);
        assertThat(db.rows("select status from campaign where name = ?", spec.name()))
                .containsExactly(List.of("paused"));

        // resumable: the relay is back, the next run sends everything, once
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            RunResult resumed = run(server.url("connections=4"), CampaignRun.Options.defaults());
            assertThat(resumed.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(resumed.report().sent()).isEqualTo(40);
        }
    }

    @Test
    void theThrottleHoldsTheRate() throws Exception {
        List<String> eligible = importContacts(40, 0);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            long started = System.nanoTime();
            RunResult result = run(server.url("connections=4"), CampaignRun.Options.defaults(),
                    new Throttle(Rate.parse("20/s"), Map.of()));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            // 40 messages at 20/s: about 2 s; a lower bound only, slow machines must not fail it
            assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        }
    }

    @Test
    void aContactWhoUnsubscribesAfterTheRowsWereMadeIsSkippedAtSendTime() throws Exception {
        List<String> eligible = importContacts(20, 0);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            run(server.url("connections=4"), CampaignRun.Options.defaults().withLimit(5L));
            assertThat(db.count("select count(*) from delivery where status = 'pending'"))
                    .as("every eligible contact has its row").isEqualTo(15);
            List<String> pending = db.rows("select c.email_norm from delivery d join contact c on c.id = d.contact_id"
                    + " where d.status = 'pending' order by d.id").stream().map(row -> row.get(0)).toList();
            String everything = pending.get(0);
            String newsletter = pending.get(1);
            ConsentService consent = db.engine().consent();
            consent.withdraw(everything, ConsentStatement.ALL_PURPOSES, "test", "test");
            consent.withdraw(newsletter, CampaignFixture.PURPOSE, "test", "test");

            RunResult rest = run(server.url("connections=4"), CampaignRun.Options.defaults());

            assertThat(rest.stoppedBy()).isNull();
            assertThat(server.recipients()).as("nobody who withdrew gets the message")
                    .doesNotContain(everything, newsletter).hasSize(18).doesNotHaveDuplicates();
            assertThat(db.maps("select d.status, d.skip_reason, d.attempts, d.lease_owner from delivery d"
                    + " join contact c on c.id = d.contact_id where c.email_norm = ?", everything))
                    .containsExactly(mapOf("status", "skipped", "skip_reason", "suppressed_unsubscribed",
                            "attempts", 0L, "lease_owner", null));
            assertThat(db.rows("select d.status, d.skip_reason from delivery d join contact c on c.id = d.contact_id"
                    + " where c.email_norm = ?", newsletter)).containsExactly(List.of("skipped", "consent_withdrawn"));
            assertThat(List.of(rest.report().sent(), rest.report().failed(), rest.report().deferred()))
                    .containsExactly(18L, 0L, 0L);
            assertThat(db.rows("select status from campaign where name = ?", spec.name()))
                    .as("skipped rows are done with").containsExactly(List.of("finished"));
            assertThat(eligible).contains(everything, newsletter);
        }
    }

    @Test
    void aDeferredRowDueWithinTheRunIsRetriedByTheSameRun() throws Exception {
        List<String> eligible = importContacts(20, 0);
        String busy = eligible.get(7);
        CampaignRun.Options retrySoon = CampaignRun.Options.builder()
                .firstRetry(Duration.ofMillis(300)).waitForDeferred(Duration.ofSeconds(20)).build();
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            server.dataReply(busy, "451 4.3.0 Try again later", 1);

            RunResult result = run(server.url("connections=4"), retrySoon);

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            Map<String, Object> row = delivery(busy);
            assertThat(row.get("status")).isEqualTo("sent");
            assertThat(row.get("attempts")).as("deferred once, then sent").isEqualTo(2L);
            assertThat(row.get("smtp_code")).isEqualTo(250L);
            assertThat(row.get("next_attempt_at")).isNull();
            assertThat(List.of(result.report().sent(), result.report().deferred(), result.report().failed()))
                    .containsExactly(20L, 0L, 0L);
            assertThat(db.rows("select status from campaign where name = ?", spec.name()))
                    .containsExactly(List.of("finished"));
        }
    }

    @Test
    void aSmallCampaignWhoseRelaySays421ForAFewSecondsIsFinishedByTheSameRun() throws Exception {
        // fewer 421s than open the relay's breaker (5): this is about the deferred rows, not the breaker
        List<String> eligible = importContacts(4, 0);
        // the default wait for deferred rows (90 s), a first retry after 2 s instead of Backoff's minute
        CampaignRun.Options options = CampaignRun.Options.builder().firstRetry(Duration.ofSeconds(2)).build();
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            eligible.forEach(email -> server.dataReply(email, "421 4.7.0 Try again later, closing connection", 1));

            RunResult result = run(server.url("connections=2"), options);

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(deliveries()).allSatisfy(row -> assertThat(row).containsEntry("status", "sent")
                    .containsEntry("attempts", 2L));
            assertThat(List.of(result.report().sent(), result.report().deferred(), result.report().pending()))
                    .containsExactly(4L, 0L, 0L);
            assertThat(result.report().nextAttemptAt()).isNull();
        }
    }

    @Test
    void aRowThatKeepsBeingDeferredIsGivenUpAfterTheMaximumAttempts() throws Exception {
        List<String> eligible = importContacts(10, 0);
        String busy = eligible.get(3);
        CampaignRun.Options threeTries = CampaignRun.Options.builder().maxAttempts(3)
                .firstRetry(Duration.ofMillis(100)).waitForDeferred(Duration.ofSeconds(20)).build();
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            server.dataReply(busy, "451 4.3.0 Try again later");

            RunResult result = run(server.url("connections=4"), threeTries);

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(without(eligible, busy));
            Map<String, Object> row = delivery(busy);
            assertThat(row.get("status")).isEqualTo("failed");
            assertThat(row.get("attempts")).isEqualTo(3L);
            assertThat(row.get("smtp_code")).isEqualTo(451L);
            assertThat((String) row.get("smtp_reply")).isEqualTo("gave up after 3 attempts: 451 4.3.0 Try again later");
            assertThat(row.get("next_attempt_at")).isNull();
            assertThat(db.count("select count(*) from feedback_event")).as("giving up is no bounce").isZero();
            assertThat(db.count("select count(*) from suppression")).isZero();
            assertThat(List.of(result.report().sent(), result.report().failed(), result.report().deferred()))
                    .containsExactly(9L, 1L, 0L);
            assertThat(db.rows("select status from campaign where name = ?", spec.name()))
                    .containsExactly(List.of("finished"));
        }
    }

    @Test
    void aRowOlderThanTheMaximumAgeIsGivenUpAtItsNextTemporaryFailure() throws Exception {
        List<String> eligible = importContacts(10, 0);
        String busy = eligible.get(2);
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            run(server.url("connections=4"), CampaignRun.Options.defaults().withLimit(1L));
            // the rest of the rows were made two days ago
            db.update("update delivery set created_at = now() - interval '2 days' where status = 'pending'");
            server.dataReply(busy, "451 4.3.0 Try again later");

            RunResult rest = run(server.url("connections=4"), CampaignRun.Options.defaults());

            assertThat(rest.stoppedBy()).isNull();
            Map<String, Object> row = delivery(busy);
            assertThat(row.get("status")).as("older than a day: not deferred again").isEqualTo("failed");
            assertThat(row.get("attempts")).isEqualTo(1L);
            assertThat((String) row.get("smtp_reply")).isEqualTo("gave up after 1 attempts: 451 4.3.0 Try again later");
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(without(eligible, busy));
            assertThat(List.of(rest.report().sent(), rest.report().failed(), rest.report().deferred()))
                    .containsExactly(9L, 1L, 0L);
        }
    }

    // --- helpers ----------------------------------------------------------------------------------

    private RunResult run(String url, CampaignRun.Options options) {
        return campaign.run(db, url, options);
    }

    private RunResult run(String url, CampaignRun.Options options, Throttle throttle) {
        return campaign.run(db, url, options, throttle);
    }

    private List<String> importContacts(int eligible, int ineligible) throws IOException {
        return campaign.importContacts(db, eligible, ineligible);
    }

    private List<Map<String, Object>> deliveries() {
        return db.maps("select c.email_norm as email, d.status, d.smtp_code, d.enhanced_status, d.smtp_reply,"
                + " d.queue_id, d.message_id, d.attempts, d.next_attempt_at, d.lease_owner, d.sent_at"
                + " from delivery d join contact c on c.id = d.contact_id order by d.id");
    }

    private Map<String, Object> delivery(String email) {
        List<Map<String, Object>> rows = deliveries().stream().filter(r -> email.equals(r.get("email"))).toList();
        assertThat(rows).as("delivery rows of " + email).hasSize(1);
        return rows.get(0);
    }

    private static Map<String, Object> mapOf(Object... keysAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static List<String> without(List<String> all, String one) {
        return all.stream().filter(a -> !a.equals(one)).toList();
    }
}
