package dev.mailer.campaign;

import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.Verdict;
import dev.mailer.delivery.Claim;
import dev.mailer.delivery.DeliveryLog;
import dev.mailer.delivery.DeliveryOutcome;
import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.throttle.Pace;
import dev.mailer.transaction.Transactions;
import dev.mailer.transport.SmtpPool;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Claims the campaign's due rows in batches (after the ones it claimed last, then from the start
 * again for deferred rows now due and released leases), asks the consent gate again about each
 * (someone may have unsubscribed or bounced since the row was made: then it is skipped), and hands
 * the rest on. Waits for deferred rows due within the run's {@code waitForDeferred}; stops at the
 * limit, when nothing is left, or when the run stops.
 */
final class ClaimProducer {
    /**
     * A live sender beats every {@link SenderLease#HEARTBEAT_MILLIS}: one silent for longer has
     * likely stopped, and this run waits for its silence to reach the limit instead of ending.
     */
    /** How long a run that was asked to slow down waits for its deferred rows: past the longest pause. */
    static final Duration RATE_LIMIT_WAIT = Pace.Settings.DEFAULT.longestPause().plusMinutes(1);
    private static final double SILENT_HINT_SECONDS = 2.5 * SenderLease.HEARTBEAT_MILLIS / 1000.0;
    private final Transactions transactions;
    private final DeliveryRecords deliveries;
    private final ConsentGate gate;
    private final CampaignRun.Options options;
    private final RunState state;
    private final SmtpPool pool;
    private final AudienceEnqueue enqueue;
    private long claimedUpTo;

    ClaimProducer(Transactions transactions, DeliveryRecords deliveries, ConsentGate gate, CampaignRun.Options options,
                  RunState state, SmtpPool pool, AudienceEnqueue enqueue) {
        this.transactions = transactions;
        this.deliveries = deliveries;
        this.gate = gate;
        this.options = options;
        this.state = state;
        this.pool = pool;
        this.enqueue = enqueue;
    }

    /**
     * Claims until done; every eligible claim goes to {@code work}, every skipped one to {@code log}.
     * A database that stops answering stops the run (see {@link RunState#failed}).
     */
    void produce(long campaignId, String owner, GateRules rules, DeliveryLog log, Consumer<SendWorker.Work> work) {
        try {
            claimUntilDone(campaignId, owner, rules, log, work);
        } catch (MailerException e) {
            state.failed(e);
        } finally {
            state.waitingFor(null);
        }
    }

    private void claimUntilDone(long campaignId, String owner, GateRules rules, DeliveryLog log,
                                Consumer<SendWorker.Work> work) {
        Long limit = options.limit();
        while (!state.stopping()) {
            long room = limit == null ? options.claimBatch() : Math.min(options.claimBatch(), limit - state.queued());
            if (room <= 0) {
                return;
            }
            long after = claimedUpTo;
            List<Claim> claims = transactions.inTransaction(() ->
                    deliveries.claim(campaignId, owner, (int) room, options.leaseSeconds(), after));
            if (claims.isEmpty() && !enqueue.done()) {
                awaitSlice(); // the next rows are on their way: they come after these ones
                continue;
            }
            if (enqueue.failure() != null) {
                throw enqueue.failure();
            }
            if (claims.isEmpty() && after > 0) {
                claimedUpTo = 0; // past the end: look again from the start (deferred rows now due, released leases)
                continue;
            }
            if (claims.isEmpty()) {
                // the messages still with the workers may yet be deferred: their outcomes count too
                if (!awaitOutcomes(log) || !workRemains(campaignId, owner)) {
                    return;
                }
                continue;
            }
            state.waitingFor(null);
            claimedUpTo = claims.get(claims.size() - 1).deliveryId();
            Map<Long, Verdict> now = gate.recheck(rules, claims.stream().map(Claim::contactId).toList());
            for (Claim claim : claims) {
                Verdict verdict = now.get(claim.contactId());
                if (verdict == null || !verdict.eligible()) {
                    DeliveryOutcome skipped = verdict == null ? DeliveryOutcome.leftAudience(claim)
                            : DeliveryOutcome.skipped(claim, verdict.reason());
                    log.record(skipped);
                    state.count(skipped);
                    continue;
                }
                state.queuedOne();
                work.accept(new SendWorker.Work(claim, verdict.recipient()));
            }
            state.stopIfNoRelay(pool, options.noRelayLimit());
        }
    }

    /**
     * Nothing is claimable now and nothing is in flight: whether this run could still send
     * something, after waiting a moment (true: claim again). It could when rows this run let go
     * of are free again; when a sender holding rows has died (its process is gone from this
     * machine: at once; it stopped beating: once its silence passes the limit, waited for here);
     * or when deferred rows are due within the run's wait. Rows held by a live cooperating sender
     * are that sender's to send.
     */
    private boolean workRemains(long campaignId, String owner) {
        transactions.inTransaction(() -> {
            deliveries.markInDoubt(campaignId); // what dead senders had on the wire is in doubt now
        });
        if (deliveries.releaseLeases(campaignId, owner) > 0) {
            return true; // rows handed on but dropped (fenced while this sender was silent): free again
        }
        List<DeliveryRecords.Holder> holders = deliveries.heldByOthers(campaignId, owner);
        boolean freed = false;
        DeliveryRecords.Holder silent = null;
        for (DeliveryRecords.Holder holder : holders) {
            if (SenderLease.goneFromThisMachine(holder.owner()).orElse(false)) {
                deliveries.forgetSender(campaignId, holder.owner());
                freed = true;
            } else if (holder.silentSeconds() > SILENT_HINT_SECONDS
                    && (silent == null || holder.silentSeconds() > silent.silentSeconds())) {
                silent = holder;
            }
        }
        if (freed) {
            return true;
        }
        if (silent != null) {
            long left = Math.max(1, Math.round(DeliveryRecords.SENDER_SILENT_SECONDS - silent.silentSeconds()));
            state.waitingFor("waiting up to " + left + " s for sender " + silent.owner() + " (silent for "
                    + Math.round(silent.silentSeconds()) + " s, holding " + silent.rows()
                    + " rows) before taking its rows over");
            pause(Duration.ofSeconds(1));
            return true;
        }
        long held = holders.stream().mapToLong(DeliveryRecords.Holder::rows).sum();
        if (deliveries.counts(campaignId).pending() > held) {
            return true; // rows became free since the last claim (a sender found dead just now)
        }
        state.heldByOthers(held);
        Optional<Instant> next = deliveries.nextDeferred(campaignId);
        // rows deferred because a relay or a provider asked to slow down are this run's to finish once it lifts
        Duration wait = state.rateLimits().any() && options.waitForDeferred().compareTo(RATE_LIMIT_WAIT) < 0
                ? RATE_LIMIT_WAIT : options.waitForDeferred();
        if (next.isEmpty() || Duration.between(Instant.now(), next.get()).compareTo(wait) > 0) {
            return false; // nothing left, or only retries due later: a later run takes them
        }
        state.waitingFor("waiting for deferred messages due at " + next.get().truncatedTo(ChronoUnit.SECONDS));
        pause(Duration.between(Instant.now(), next.get()));
        return true;
    }

    /**
     * Waits until every message handed on has its outcome written; false when the run stops first.
     */
    private boolean awaitOutcomes(DeliveryLog log) {
        try {
            while (state.inFlight() > 0) {
                if (state.stopping()) {
                    return false;
                }
                Thread.sleep(20);
            }
            log.flush();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state.stop(ErrorKind.INTERRUPTED, "interrupted");
            return false;
        }
    }

    private void awaitSlice() {
        try {
            enqueue.awaitProgress(Duration.ofMillis(250));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state.stop(ErrorKind.INTERRUPTED, "interrupted");
        }
    }

    /** Sleeps for {@code wait}, but at most a second (then the loop looks again), at least 50 ms. */
    private void pause(Duration wait) {
        long millis = Math.min(1000, Math.max(50, wait.toMillis()));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state.stop(ErrorKind.INTERRUPTED, "interrupted");
        }
    }
}
