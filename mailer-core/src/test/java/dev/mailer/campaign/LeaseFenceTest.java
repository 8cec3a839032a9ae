package dev.mailer.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.delivery.Claim;
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
 * The fence on in-flight marks, on a real PostgreSQL: a sender marks (and so sends) only rows whose
 * lease it still holds. A sender paused past its lease, whose rows another sender took, must not
 * send them when it wakes up.
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
}
