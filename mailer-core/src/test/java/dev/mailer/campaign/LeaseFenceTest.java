package dev.mailer.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.audience.ExclusionReason;
import dev.mailer.delivery.Claim;
import dev.mailer.delivery.DeliveryOutcome;
import dev.mailer.transport.SendResult;
import dev.mailer.delivery.DeliveryLog;
import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.store.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fence on in-flight marks and outcomes, on a real PostgreSQL: a sender marks (and so sends)
 * only rows whose lease it still holds while it is alive by its own heartbeat, and writes outcomes
 * only to rows it still holds. A sender paused past its lease or its silence limit, whose rows
 * another sender took, must not send them, nor overwrite them, when it wakes up.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaseFenceTest {
    @TempDir
    Path templates;
    private TestDatabase db;
    private DeliveryRecords deliveries;
    private long campaignId;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.fresh();
        CampaignFixture campaign = CampaignFixture.create(templates, "fence-2026-12");
        campaign.importContacts(db, 3, 0);
        CampaignPorts ports = db.engine().campaignPorts();
        deliveries = ports.deliveries();
        campaignId = ports.campaigns().findOrCreate("fence-2026-12", CampaignFixture.PURPOSE, "newsletter", "{}");
        assertThat(deliveries.enqueue(campaign.spec().gateRules(campaignId))).isEqualTo(3);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void onlyRowsStillLeasedByThisSenderAreMarked() throws Exception {
        register("sender-a");
        List<Claim> claims = db.engine().stores().transactions().inTransaction(
                () -> deliveries.claim(campaignId, "sender-a", 10, 120, 0));
        assertThat(claims).hasSize(3);
        long kept = claims.get(0).deliveryId();
        long taken = claims.get(1).deliveryId();
        long expired = claims.get(2).deliveryId();
        // while sender-a was frozen: its lease on one row ran out and another sender took a second one
        db.update("update delivery set lease_owner = 'sender-b' where id = ?", taken);
        db.update("update delivery set lease_until = now() - interval '1 second' where id = ?", expired);

        try (DeliveryLog log = new DeliveryLog(deliveries, campaignId, "sender-a", (c, failed) -> { })) {
            assertThat(log.markSending(kept)).isTrue();
            assertThat(log.markSending(taken)).as("another sender's row").isFalse();
            assertThat(log.markSending(expired)).as("a row whose lease ran out").isFalse();
            log.flush();
        }

        assertThat(db.rows("select id, status, attempts from delivery order by id")).containsExactly(
                List.of(Long.toString(kept), "sending", "1"),
                List.of(Long.toString(taken), "pending", "0"),
                List.of(Long.toString(expired), "pending", "0"));
    }

    @Test
    void aSilentSendersRowsAreTakenOverAndItMayNeitherMarkNorOverwriteThem() throws Exception {
        register("sender-a");
        register("sender-b");
        var transactions = db.engine().stores().transactions();
        List<Claim> claims = transactions.inTransaction(() -> deliveries.claim(campaignId, "sender-a", 10, 120, 0));
        assertThat(claims).hasSize(3);
        long inFlight = claims.get(0).deliveryId();
        try (DeliveryLog log = new DeliveryLog(deliveries, campaignId, "sender-a", (c, failed) -> { })) {
            assertThat(log.markSending(inFlight)).isTrue();
        }
        assertThat(transactions.inTransaction(() -> deliveries.claim(campaignId, "sender-b", 10, 120, 0)))
                .as("sender-a is alive: its rows are its own, for all of their 120 s lease").isEmpty();

        // sender-a is frozen (SIGSTOP) and stops beating; its 120 s leases have long to go
        db.update("update campaign_sender set heartbeat_at = now() - interval '11 seconds' where owner = 'sender-a'");

        assertThat(deliveries.heldByOthers(campaignId, "sender-b")).as("a dead sender holds nothing").isEmpty();
        assertThat(transactions.inTransaction(() -> deliveries.markInDoubt(campaignId)))
                .as("what it had on the wire is in doubt").isEqualTo(1);
        List<Claim> taken = transactions.inTransaction(() -> deliveries.claim(campaignId, "sender-b", 10, 120, 0));
        assertThat(taken).extracting(Claim::deliveryId).as("its other rows are taken over")
                .containsExactly(claims.get(1).deliveryId(), claims.get(2).deliveryId());

        // sender-a thaws: its mark of a taken row is refused, and its outcomes touch only its own row
        try (DeliveryLog log = new DeliveryLog(deliveries, campaignId, "sender-a", (c, failed) -> { })) {
            assertThat(log.markSending(claims.get(1).deliveryId())).isFalse();
            log.record(DeliveryOutcome.skipped(claims.get(2), ExclusionReason.CONSENT_WITHDRAWN));
            log.record(sentOutcome(claims.get(0)));
            log.flush();
        }
        assertThat(db.rows("select status, lease_owner from delivery order by id")).containsExactly(
                java.util.Arrays.asList("sent", null), // its own in-doubt row: the outcome it knows is better than 'unknown'
                List.of("pending", "sender-b"),
                List.of("pending", "sender-b"));
    }

    private void register(String sender) {
        db.engine().stores().transactions().inTransaction(() -> deliveries.registerSender(campaignId, sender));
    }

    private static DeliveryOutcome sentOutcome(Claim claim) {
        return DeliveryOutcome.sent(claim, new SendResult(SendResult.Outcome.SENT, 250, "2.0.0",
                "250 2.0.0 Ok: queued as ABC", "ABC"), "<m@x>");
    }
}
