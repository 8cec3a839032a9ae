package dev.mailer.campaign;

import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.GateReport;
import dev.mailer.audience.GateRules;
import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.delivery.EnqueuedSlice;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.transaction.Transactions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Adds the campaign's pending rows on a thread of its own, in slices of contact ids, each slice
 * its own transaction: sending starts once the first slice is in, not after the whole audience
 * (100,000 rows took 3.4 s, one core busy and the other idle). A slice is not added to a campaign
 * cancelled meanwhile. Stopped half-way (a crash, Ctrl-C) it leaves nothing wrong: the next run
 * adds the rest, as it adds whoever joined the audience since. The gate's verdicts on each slice
 * are counted as it is added, so a run's gate report costs no second pass over the audience.
 */
final class AudienceEnqueue implements AutoCloseable {
    /** Small, so the first messages go out at once; then slices large enough to cost one statement each. */
    static final long FIRST_SLICE = 5_000;
    static final long SLICE = 50_000;
    /** Rows added before the planner's statistics of the delivery rows are refreshed. */
    private static final int STATISTICS_AFTER = 1000;

    private final Transactions transactions;
    private final DeliveryRecords deliveries;
    private final CampaignRecords campaigns;
    private final GateRules rules;
    private final long campaignId;
    private final long firstSlice;
    private final long slice;
    private final AtomicLong added = new AtomicLong();
    private final Object progress = new Object();
    private final LongConsumer estimates;
    private final Thread thread;
    private volatile GateReport judged = GateReport.NONE;
    /** The contacts judged so far are those with ids up to this one. */
    private volatile long judgedUpTo;
    /** The audience's last contact id, once known. */
    private volatile long last = -1;
    private volatile boolean done;
    private volatile boolean stop;
    private volatile MailerException failure;
    private long slices;

    /**
     * @param slice     contacts per slice; the first one is at most {@link #FIRST_SLICE}
     * @param estimates told after each slice how many rows the whole audience will likely add (the
     *                  rows so far, scaled to every contact id): a progress bar's total
     */
    AudienceEnqueue(Transactions transactions, DeliveryRecords deliveries, CampaignRecords campaigns,
                    GateRules rules, long campaignId, long slice, LongConsumer estimates) {
        this.estimates = estimates;
        this.firstSlice = Math.min(FIRST_SLICE, slice);
        this.slice = slice;
        this.transactions = transactions;
        this.deliveries = deliveries;
        this.campaigns = campaigns;
        this.rules = rules;
        this.campaignId = campaignId;
        this.thread = new Thread(this::run, "audience-enqueue");
        thread.setDaemon(true);
    }

    AudienceEnqueue start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            long last = deliveries.lastContactId();
            this.last = last;
            long after = 0;
            boolean analyzed = false;
            while (after < last && !stop) {
                long from = after;
                long upTo = Math.min(last, after + (after == 0 ? firstSlice : slice));
                EnqueuedSlice enqueued = transactions.inTransaction(() ->
                        campaigns.lockStatus(campaignId) == CampaignStatus.CANCELLED ? null
                                : deliveries.enqueue(rules, from, upTo));
                if (enqueued == null) {
                    break; // cancelled meanwhile
                }
                long rows = added.addAndGet(enqueued.added());
                judged = judged.plus(enqueued.judged());
                judgedUpTo = upTo;
                estimates.accept(Math.round(rows * ((double) last / upTo)));
                if (!analyzed && rows > STATISTICS_AFTER) {
                    // before the delivery log's session plans its statement on these rows
                    deliveries.refreshStatistics();
                    analyzed = true;
                }
                after = upTo;
                signal();
            }
        } catch (MailerException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new MailerException(ErrorKind.INTERNAL, "Adding the campaign's recipients failed: " + e, e);
        } finally {
            done = true;
            signal();
        }
    }

    private void signal() {
        synchronized (progress) {
            slices++;
            progress.notifyAll();
        }
    }

    /** True once every slice is in (or the enqueue stopped). */
    boolean done() {
        return done;
    }

    /** Rows added so far. */
    long added() {
        return added.get();
    }

    /**
     * How the gate judged the audience (call once the enqueue has ended): the sum of its slices,
     * and the contacts no slice reached (it stopped early) judged now with {@code gate}.
     */
    GateReport report(ConsentGate gate) {
        long end = last;
        if (end < 0) {
            return gate.report(rules);
        }
        return judgedUpTo >= end ? judged : judged.plus(gate.report(rules, judgedUpTo, end));
    }

    /** Why a slice could not be added (the database went away), or null. */
    MailerException failure() {
        return failure;
    }

    /** Waits until the next slice is in, the enqueue is done, or {@code max} has passed. */
    void awaitProgress(Duration max) throws InterruptedException {
        synchronized (progress) {
            long seen = slices;
            long deadline = System.nanoTime() + max.toNanos();
            while (!done && slices == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                progress.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Waits for the rest of the audience (a run that stopped at its limit still enqueues everyone). */
    void finish() {
        CampaignRun.joinUninterruptibly(thread);
    }

    /** Stops after the slice being added; the next run adds the rest. */
    @Override
    public void close() {
        stop = true;
        finish();
    }
}
