package dev.mailer.campaign;

import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.Verdict;
import dev.mailer.delivery.Claim;
import dev.mailer.delivery.DeliveryLog;
import dev.mailer.delivery.DeliveryOutcome;
import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.error.ErrorKind;
import dev.mailer.transaction.Transactions;
import dev.mailer.transport.SmtpPool;
import java.time.Duration;
import java.time.Instant;
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
    private final Transactions transactions;
    private final DeliveryRecords deliveries;
    private final ConsentGate gate;
    private final CampaignRun.Options options;
    private final RunState state;
    private final SmtpPool pool;
    private long claimedUpTo;

    ClaimProducer(Transactions transactions, DeliveryRecords deliveries, ConsentGate gate, CampaignRun.Options options,
                  RunState state, SmtpPool pool) {
        this.transactions = transactions;
        this.deliveries = deliveries;
        this.gate = gate;
        this.options = options;
        this.state = state;
        this.pool = pool;
    }

    /** Claims until done; every eligible claim goes to {@code work}, every skipped one to {@code log}. */
    void produce(long campaignId, String owner, GateRules rules, DeliveryLog log, Consumer<SendWorker.Work> work) {
        Long limit = options.limit();
        while (!state.stopping()) {
            long room = limit == null ? options.claimBatch() : Math.min(options.claimBatch(), limit - state.queued());
            if (room <= 0) {
                return;
            }
            long after = claimedUpTo;
            List<Claim> claims = transactions.inTransaction(() ->
                    deliveries.claim(campaignId, owner, (int) room, options.leaseSeconds(), after));
            if (claims.isEmpty() && after > 0) {
                claimedUpTo = 0; // past the end: look again from the start (deferred rows now due, released leases)
                continue;
            }
            if (claims.isEmpty()) {
                // the messages still with the workers may yet be deferred: their outcomes count too
                if (!awaitOutcomes(log)) {
                    return;
                }
                Optional<Instant> next = deliveries.nextDeferred(campaignId);
                if (next.isEmpty() || Duration.between(Instant.now(), next.get()).compareTo(options.waitForDeferred()) > 0) {
                    return; // nothing left, or only retries due later: a later run takes them
                }
                sleepUntil(next.get());
                continue;
            }
            claimedUpTo = claims.get(claims.size() - 1).deliveryId();
            Map<Long, Verdict> now = gate.recheck(rules, claims.stream().map(Claim::contactId).toList());
            for (Claim claim : claims) {
                Verdict verdict = now.get(claim.contactId());
                if (verdict == null || !verdict.eligible()) {
                    DeliveryOutcome skipped = verdict == null ? DeliveryOutcome.leftAudience(claim)
                            : DeliveryOutcome.skipped(claim, verdict.reason());
                    state.count(skipped);
                    log.record(skipped);
                    continue;
                }
                state.queuedOne();
                work.accept(new SendWorker.Work(claim, verdict.recipient()));
            }
            state.stopIfNoRelay(pool, options.noRelayLimit());
        }
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

    private void sleepUntil(Instant next) {
        long millis = Math.min(1000, Math.max(50, Duration.between(Instant.now(), next).toMillis()));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state.stop(ErrorKind.INTERRUPTED, "interrupted");
        }
    }
}
