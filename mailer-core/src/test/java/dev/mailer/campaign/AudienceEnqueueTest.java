package dev.mailer.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.GateReport;
import dev.mailer.audience.GateRules;
import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.delivery.EnqueuedSlice;
import dev.mailer.store.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audience added in slices of contact ids beside the sending, on a real PostgreSQL: every
 * contact the gate lets through gets exactly one row, whatever the slices; nobody else gets one;
 * a slice is not added to a campaign cancelled meanwhile; a run's claims wait for slices still
 * coming instead of ending early.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AudienceEnqueueTest {
    @TempDir
    Path templates;
    private TestDatabase db;
    private CampaignPorts ports;
    private CampaignFixture campaign;
    private long campaignId;
    private GateRules rules;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.fresh();
        campaign = CampaignFixture.create(templates, "slices-2026-12");
        campaign.importContacts(db, 11, 4);
        ports = db.engine().campaignPorts();
        campaignId = ports.campaigns().findOrCreate("slices-2026-12", CampaignFixture.PURPOSE, "newsletter", "{}");
        rules = campaign.spec().gateRules(campaignId);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void everyEligibleContactGetsOneRowWhateverTheSlices() throws Exception {
        try (AudienceEnqueue enqueue = slices(2).start()) {
            enqueue.finish();
            assertThat(enqueue.failure()).isNull();
            assertThat(enqueue.done()).isTrue();
            assertThat(enqueue.added()).isEqualTo(11);
        }
        assertThat(db.rows("select count(*), count(distinct contact_id) from delivery where campaign_id = "
                + campaignId + " and status = 'pending'")).containsExactly(List.of("11", "11"));
        assertThat(db.rows("select count(*) from delivery d join contact c on c.id = d.contact_id"
                + " where c.email like 'stranger%'")).containsExactly(List.of("0"));

        try (AudienceEnqueue again = slices(5).start()) {
            again.finish();
            assertThat(again.added()).as("a second run adds nobody twice").isZero();
        }
    }

    @Test
    void aRangeReachesOnlyItsContacts() {
        DeliveryRecords deliveries = ports.deliveries();
        long last = deliveries.lastContactId();
        long first = Long.parseLong(db.rows("select min(id) from contact").get(0).get(0));
        EnqueuedSlice firstThree = ports.transactions().inTransaction(() ->
                deliveries.enqueue(rules, first - 1, first + 2));
        assertThat(firstThree.added()).isEqualTo(3);
        assertThat(firstThree.judged()).as("the slice's contacts judged, and nobody else")
                .isEqualTo(new GateReport(3, 3, Map.of()));
        EnqueuedSlice beyond = ports.transactions().inTransaction(() -> deliveries.enqueue(rules, last, Long.MAX_VALUE));
        assertThat(beyond.added()).isZero();
        assertThat(beyond.judged()).isEqualTo(GateReport.NONE);
        assertThat(ports.transactions().inTransaction(() -> deliveries.enqueue(rules))).isEqualTo(8);
    }

    @Test
    void theSlicesJudgeTheAudienceAsTheGateReportDoesAndEstimateItsRows() {
        GateReport upFront = gate().report(rules);
        assertThat(upFront.considered()).isEqualTo(15);
        List<Long> estimates = new CopyOnWriteArrayList<>();
        try (AudienceEnqueue enqueue = slices(4, estimates::add).start()) {
            enqueue.finish();
            assertThat(enqueue.report(gate())).isEqualTo(upFront);
        }
        assertThat(estimates).as("one estimate per slice, the last one exact").hasSize(4).last().isEqualTo(11L);
    }

    @Test
    void aCancelledCampaignGetsNoSlice() {
        GateReport upFront = gate().report(rules);
        ports.transactions().inTransaction(() -> ports.campaigns().cancel(campaignId));
        try (AudienceEnqueue enqueue = slices(2).start()) {
            enqueue.finish();
            assertThat(enqueue.added()).isZero();
            assertThat(enqueue.report(gate())).as("the contacts no slice reached are judged now").isEqualTo(upFront);
        }
        assertThat(db.rows("select count(*) from delivery")).containsExactly(List.of("0"));
    }

    @Test
    void anEnqueueStoppedHalfWayReportsTheWholeAudience() {
        GateReport upFront = gate().report(rules);
        // cancelled once the first slice is in: the slices stop there
        try (AudienceEnqueue enqueue = slices(4, rows -> ports.transactions().inTransaction(() ->
                ports.campaigns().cancel(campaignId))).start()) {
            enqueue.finish();
            assertThat(enqueue.added()).isBetween(1L, 4L);
            assertThat(enqueue.report(gate())).isEqualTo(upFront);
        }
    }

    @Test
    void waitingForASliceEndsWhenItIsIn() throws Exception {
        // fifteen one-id slices: were each wait to last its ten seconds, the test's timeout would end it
        try (AudienceEnqueue enqueue = slices(1).start()) {
            int waits = 0;
            while (!enqueue.done()) {
                enqueue.awaitProgress(Duration.ofSeconds(10));
                waits++;
            }
            assertThat(waits).isPositive();
            assertThat(enqueue.added()).isEqualTo(11);
        }
    }

    private AudienceEnqueue slices(long contacts) {
        return slices(contacts, estimate -> { });
    }

    private AudienceEnqueue slices(long contacts, LongConsumer estimates) {
        return new AudienceEnqueue(ports.transactions(), ports.deliveries(), ports.campaigns(), rules, campaignId,
                contacts, estimates);
    }

    private ConsentGate gate() {
        return ports.gate();
    }
}
