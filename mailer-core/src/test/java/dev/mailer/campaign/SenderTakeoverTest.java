package dev.mailer.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.store.TestDatabase;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.FaultySmtpServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that finds rows leased by another sender, on a real PostgreSQL: a sender whose process is
 * gone from this machine is taken over at once; one on another machine that stopped beating is
 * waited for (and the run says so) until its silence reaches the limit, then taken over; a live
 * cooperating sender's rows are left to it and reported. Nobody is mailed twice in any case.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SenderTakeoverTest {
    private static final int CONTACTS = 30;
    private static final int HELD = 12;

    @TempDir
    Path templates;
    private TestDatabase db;
    private CampaignFixture campaign;
    private List<String> eligible;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.fresh();
        campaign = CampaignFixture.create(templates, "takeover-2026-12");
        eligible = campaign.importContacts(db, CONTACTS, 0);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void theRowsOfAKilledSenderOfThisMachineAreTakenOverAtOnce() throws Exception {
        long deadPid = deadProcess();
        String host = ManagementFactory.getRuntimeMXBean().getName().split("@", 2)[1];
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            holdRows(server, deadPid + "@" + host + ":0badf00d", "1 second");
            Set<String> said = ConcurrentHashMap.newKeySet();

            RunResult result = campaign.run(db, server.url("connections=4"), CampaignRun.Options.defaults(),
                    new Throttle(null, Map.of()), p -> record(said, p));

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(said).as("nothing waited for").isEmpty();
            assertThat(result.report().withOtherSenders()).isZero();
            assertThat(db.rows("select status, count(*) from delivery group by status"))
                    .containsExactly(List.of("sent", Long.toString(CONTACTS)));
        }
    }

    @Test
    void theRowsOfASenderElsewhereThatStoppedBeatingAreTakenOverOnceItsSilenceReachesTheLimit() throws Exception {
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            holdRows(server, "4242@another-machine:0badf00d", "6 seconds");
            Set<String> said = ConcurrentHashMap.newKeySet();

            RunResult result = campaign.run(db, server.url("connections=4"), CampaignRun.Options.defaults(),
                    new Throttle(null, Map.of()), p -> record(said, p));

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).containsExactlyInAnyOrderElementsOf(eligible);
            assertThat(said).as("what the run waited for").anySatisfy(line -> assertThat(line)
                    .startsWith("waiting up to").contains("4242@another-machine:0badf00d", "holding " + HELD + " rows"));
            assertThat(db.rows("select status, count(*) from delivery group by status"))
                    .containsExactly(List.of("sent", Long.toString(CONTACTS)));
        }
    }

    @Test
    void theRowsOfALiveCooperatingSenderAreLeftToItAndReported() throws Exception {
        ScheduledExecutorService beating = Executors.newSingleThreadScheduledExecutor();
        try (FaultySmtpServer server = FaultySmtpServer.start()) {
            holdRows(server, "4242@another-machine:c0ffee00", "0 seconds");
            beating.scheduleAtFixedRate(() -> db.update("update campaign_sender set heartbeat_at = now()"
                    + " where owner = '4242@another-machine:c0ffee00'"), 0, 500, TimeUnit.MILLISECONDS);

            RunResult result = campaign.run(db, server.url("connections=4"), CampaignRun.Options.defaults());

            assertThat(result.stoppedBy()).isNull();
            assertThat(server.recipients()).hasSize(CONTACTS - HELD).doesNotHaveDuplicates();
            assertThat(result.report().withOtherSenders()).isEqualTo(HELD);
            assertThat(result.report().pending()).isEqualTo(HELD);
            assertThat(db.count("select count(*) from delivery where lease_owner = '4242@another-machine:c0ffee00'"
                    + " and status = 'pending'")).isEqualTo(HELD);
        } finally {
            beating.shutdownNow();
        }
    }

    /**
     * Makes the campaign's rows (a run with limit 0), then gives the first HELD of them to
     * {@code owner}, registered with its last heartbeat {@code silentFor} ago and a lease of two
     * minutes still to run.
     */
    private void holdRows(FaultySmtpServer server, String owner, String silentFor) {
        campaign.run(db, server.url("connections=1"), CampaignRun.Options.defaults().withLimit(0L));
        long campaignId = db.count("select id from campaign");
        db.update("insert into campaign_sender (campaign_id, owner, heartbeat_at) values (?, ?, now() - ?::interval)",
                campaignId, owner, silentFor);
        assertThat(db.update("update delivery set lease_owner = ?, lease_until = now() + interval '2 minutes'"
                + " where id in (select id from delivery order by id limit ?)", owner, HELD)).isEqualTo(HELD);
    }

    private static void record(Set<String> said, CampaignRun.Progress progress) {
        if (progress.waitingFor() != null) {
            said.add(progress.waitingFor());
        }
    }

    /** The pid of a process that has ended. */
    private static long deadProcess() throws Exception {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }
}
