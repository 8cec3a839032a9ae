package dev.mailer.campaign;

import dev.mailer.audience.GateReport;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.GateRulesJson;
import dev.mailer.delivery.Backoff;
import dev.mailer.delivery.DeliveryCounts;
import dev.mailer.delivery.DeliveryLog;
import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.delivery.RetryPolicy;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.throttle.Throttle;
import dev.mailer.transaction.Transactions;
import dev.mailer.transport.Sender;
import dev.mailer.transport.SmtpPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * One {@code mailer send} of a campaign: the gate's eligible contacts become delivery rows; this
 * process claims rows in batches (FOR UPDATE SKIP LOCKED, with a lease: {@link ClaimProducer}),
 * renders each message, waits for the throttle, marks the row 'sending', hands the message to a
 * pooled SMTP connection and records the outcome ({@link SendWorker}, one per connection, with the
 * {@link RetryPolicy}). Several processes, on one machine or many, can run the same campaign: they
 * split the rows, and the campaign's rate is divided among them ({@link SenderLease}).
 */
public final class CampaignRun {

    /**
     * Tuning of a run; {@link #defaults()} suits most, {@link #builder()} changes some.
     *
     * @param limit           send at most this many messages (a canary run); null for no limit
     * @param resendUnknown   send again to rows in doubt after a crash
     * @param leaseSeconds    how long a claimed row stays this sender's without a renewal
     * @param maxAttempts     attempts after which a temporary failure fails the row
     * @param maxAge          a row older than this is given up at its next temporary failure
     * @param noRelayLimit    the run stops (NO_RELAY, resumable) when no relay was usable this long
     * @param claimBatch      rows claimed at a time
     * @param waitForDeferred deferred rows due within this are waited for; later ones are left to a later run
     * @param firstRetry      the wait after a row's first temporary failure, doubled with each attempt
     *                        (with jitter, at most an hour: {@link Backoff})
     * @param enqueueSlice    contacts the audience is added in at a time, beside the sending
     */
    public record Options(Long limit, boolean resendUnknown, int leaseSeconds, int maxAttempts, Duration maxAge,
                          Duration noRelayLimit, int claimBatch, Duration waitForDeferred, Duration firstRetry,
                          long enqueueSlice) {
        public static final int DEFAULT_LEASE_SECONDS = 120;
        public static final int DEFAULT_MAX_ATTEMPTS = 5;
        public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
        public static final Duration DEFAULT_NO_RELAY_LIMIT = Duration.ofSeconds(60);
        public static final int DEFAULT_CLAIM_BATCH = 500;
        public static final Duration DEFAULT_WAIT_FOR_DEFERRED = Duration.ofSeconds(90);
        public static final Duration DEFAULT_FIRST_RETRY = Backoff.FIRST;

        public Options {
            if (limit != null && limit < 0) {
                throw new IllegalArgumentException("limit must not be negative: " + limit);
            }
            if (leaseSeconds < 1 || maxAttempts < 1 || claimBatch < 1 || enqueueSlice < 1) {
                throw new IllegalArgumentException("leaseSeconds, maxAttempts, claimBatch and enqueueSlice must be positive");
            }
            Objects.requireNonNull(maxAge, "maxAge");
            Objects.requireNonNull(noRelayLimit, "noRelayLimit");
            Objects.requireNonNull(waitForDeferred, "waitForDeferred");
            Objects.requireNonNull(firstRetry, "firstRetry");
        }

        public static Options defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from these options. */
        public Builder toBuilder() {
            return new Builder().limit(limit).resendUnknown(resendUnknown).leaseSeconds(leaseSeconds)
                    .maxAttempts(maxAttempts).maxAge(maxAge).noRelayLimit(noRelayLimit).claimBatch(claimBatch)
                    .waitForDeferred(waitForDeferred).firstRetry(firstRetry).enqueueSlice(enqueueSlice);
        }

        public Options withLimit(Long limit) {
            return toBuilder().limit(limit).build();
        }

        public Options withResendUnknown(boolean resend) {
            return toBuilder().resendUnknown(resend).build();
        }

        /** What to do about a failed attempt, by these options. */
        public RetryPolicy retryPolicy() {
            return new RetryPolicy(maxAttempts, maxAge, firstRetry);
        }

        /** Options one setting at a time; every setting not given keeps its DEFAULT_ constant. */
        public static final class Builder {
            private Long limit;
            private boolean resendUnknown;
            private int leaseSeconds = DEFAULT_LEASE_SECONDS;
            private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
            private Duration maxAge = DEFAULT_MAX_AGE;
            private Duration noRelayLimit = DEFAULT_NO_RELAY_LIMIT;
            private int claimBatch = DEFAULT_CLAIM_BATCH;
            private Duration waitForDeferred = DEFAULT_WAIT_FOR_DEFERRED;
            private Duration firstRetry = DEFAULT_FIRST_RETRY;
            private long enqueueSlice = AudienceEnqueue.SLICE;

            private Builder() {
            }

            public Builder limit(Long limit) {
                this.limit = limit;
                return this;
            }

            public Builder resendUnknown(boolean resendUnknown) {
                this.resendUnknown = resendUnknown;
                return this;
            }

            public Builder leaseSeconds(int leaseSeconds) {
                this.leaseSeconds = leaseSeconds;
                return this;
            }

            public Builder maxAttempts(int maxAttempts) {
                this.maxAttempts = maxAttempts;
                return this;
            }

            public Builder maxAge(Duration maxAge) {
                this.maxAge = maxAge;
                return this;
            }

            public Builder noRelayLimit(Duration noRelayLimit) {
                this.noRelayLimit = noRelayLimit;
                return this;
            }

            public Builder claimBatch(int claimBatch) {
                this.claimBatch = claimBatch;
                return this;
            }

            public Builder waitForDeferred(Duration waitForDeferred) {
                this.waitForDeferred = waitForDeferred;
                return this;
            }

            public Builder firstRetry(Duration firstRetry) {
                this.firstRetry = firstRetry;
                return this;
            }

            public Builder enqueueSlice(long enqueueSlice) {
                this.enqueueSlice = enqueueSlice;
                return this;
            }

            public Options build() {
                return new Options(limit, resendUnknown, leaseSeconds, maxAttempts, maxAge, noRelayLimit, claimBatch,
                        waitForDeferred, firstRetry, enqueueSlice);
            }
        }
    }

    /**
     * Figures of this run so far, for progress bars and log lines.
     *
     * @param total the campaign's open work when the run started (pending and deferred rows, at most
     *              the limit): what this run would send alone; cooperating senders share it
     * @param waitingFor what the run waits for ("the rows of a sender that stopped beating"), or null
     */
    public record Progress(long sent, long failed, long deferred, long skipped, long queued, double perSecond,
                           long elapsedMillis, long total, String waitingFor) {
    }

    private final CampaignPorts ports;
    private final CampaignSpec spec;
    private final CampaignMessages messages;
    private final SmtpPool pool;
    private final Throttle throttle;
    private final Options options;
    private final Consumer<Progress> progress;
    private final RunState state = new RunState();

    public CampaignRun(CampaignPorts ports, CampaignSpec spec, CampaignMessages messages, SmtpPool pool,
                       Throttle throttle, Options options, Consumer<Progress> progress) {
        this.ports = ports;
        this.spec = spec;
        this.messages = messages;
        this.pool = pool;
        this.throttle = throttle;
        this.options = options;
        this.progress = progress;
    }

    /** Asks the run to stop after the messages in flight (Ctrl-C); it ends with code INTERRUPTED. */
    public void interrupt() {
        state.stop(ErrorKind.INTERRUPTED, "interrupted");
    }

    public RunResult run() {
        Transactions transactions = ports.transactions();
        DeliveryRecords deliveries = ports.deliveries();
        ports.campaigns().find(spec.name()).filter(c -> c.status() == CampaignStatus.CANCELLED).ifPresent(c -> {
            throw CampaignCancel.refusal(c);
        });
        long campaignId = transactions.inTransaction(() -> ports.campaigns().findOrCreate(spec.name(),
                spec.purpose(), spec.template(), GateRulesJson.write(spec.gateRules(null))));
        GateRules rules = spec.gateRules(campaignId);
        SenderLease lease = new SenderLease(transactions, deliveries, campaignId, options.leaseSeconds());
        long openBefore = transactions.inTransaction(() -> {
            if (ports.campaigns().lockStatus(campaignId) == CampaignStatus.CANCELLED) {
                throw CampaignCancel.refusal(ports.campaigns().find(spec.name()).orElseThrow());
            }
            lease.register();
            deliveries.markInDoubt(campaignId);
            deliveries.releaseHeld(campaignId);
            if (options.resendUnknown()) {
                deliveries.resendUnknown(campaignId);
            }
            ports.campaigns().setStatus(campaignId, CampaignStatus.SENDING);
            return deliveries.counts(campaignId).open();
        });
        // With rows open from before, this run may send some of them before their slice is judged
        // again (and the slice would count them as already sent): the report is taken first. A
        // campaign with nothing open has every row it sends judged by its slice before: the report
        // is the slices' own count, and sending starts without a pass over the whole audience.
        GateReport upFront = openBefore == 0 ? null : ports.gate().report(rules);
        // until the whole audience is in, the gate's count (or the slices' estimate) is the best guess
        total(upFront == null ? 0 : Math.max(openBefore, upFront.eligible()));
        int unsettled;
        GateReport gate;
        try {
            lease.keepAlive(throttle, progress == null ? null : () -> progress.accept(state.progress()), state::failed);
            try (AudienceEnqueue enqueue = new AudienceEnqueue(transactions, deliveries, ports.campaigns(), rules,
                    campaignId, options.enqueueSlice(), estimate -> {
                        if (upFront == null) {
                            total(estimate);
                        }
                    }).start()) {
                unsettled = send(campaignId, rules, lease.owner(), enqueue);
                if (!state.stopping()) {
                    enqueue.finish();
                    if (enqueue.failure() != null) {
                        state.failed(enqueue.failure());
                    }
                }
                enqueue.close(); // stopping: after the slice being added, whose estimate comes before this total
                total(openBefore + enqueue.added());
                gate = upFront != null || state.databaseLost() != null || state.failure() != null ? upFront
                        : enqueue.report(ports.gate());
            }
        } finally {
            if (state.databaseLost() == null) {
                lease.close();
            } else {
                lease.abandon(); // nothing to give back to: the rows free themselves once this sender is silent
            }
        }
        if (state.databaseLost() != null) {
            // nothing more can be read or written: what this run leaves is said in the one sentence
            throw state.databaseLost().leaving(unsettled == 1 ? "1 message is in doubt"
                    : unsettled + " messages are in doubt");
        }
        if (state.failure() != null) {
            throw state.failure();
        }
        DeliveryCounts counts = deliveries.counts(campaignId);
        ports.campaigns().setStatus(campaignId, counts.done() ? CampaignStatus.FINISHED : CampaignStatus.PAUSED);
        double seconds = state.elapsedSeconds();
        SendReport report = SendReport.sent(spec.name(), gate, counts.sent(), counts.failed(), counts.deferred(),
                counts.unknown(), seconds, state.sent() / Math.max(seconds, 0.001), counts.pending(),
                counts.deferred() == 0 ? null : deliveries.nextDeferred(campaignId).orElse(null),
                state.heldByOthers(), counts.held(), warnings());
        if (state.templateError() != null) {
            report = report.withErrors(List.of(state.templateError()));
        }
        if (progress != null) {
            progress.accept(state.progress());
        }
        if (state.stoppedBy() == null && state.senderFaults().any()) {
            // the run did what it could; the held rows wait for the sender's problem to be fixed
            return new RunResult(report, ErrorKind.SENDER_REFUSED, state.senderFaults().sentence());
        }
        return new RunResult(report, state.stoppedBy(), state.stopReason());
    }

    private void total(long total) {
        state.total(options.limit() == null ? total : Math.min(total, options.limit()));
    }

    private List<SendWarning> warnings() {
        List<SendWarning> warnings = new ArrayList<>();
        state.senderFaults().observed().forEach(o -> warnings.add(new SendWarning(SendWarning.SENDER_FAULT,
                o.domain(), o.count(), o.first().reply(), o.verdict().hint())));
        state.rateLimits().observed().forEach(o -> warnings.add(new SendWarning(SendWarning.RATE_LIMITED,
                o.domain(), o.count(), o.first().reply(), o.verdict().hint())));
        return warnings;
    }

    /** The producer on this thread, one worker per SMTP connection, and the delivery log between them. */
    private int send(long campaignId, GateRules rules, String owner, AudienceEnqueue enqueue) {
        try (DeliveryLog log = new DeliveryLog(ports.deliveries(), campaignId, owner, ports.bounces())) {
            int workers = Math.max(1, pool.totalConnections());
            BlockingQueue<SendWorker.Work> work = new ArrayBlockingQueue<>(Math.max(options.claimBatch(), workers * 4));
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                Thread thread = new Thread(new SendWorker(work, campaignId, messages, new Sender(pool, throttle),
                        options.retryPolicy(), options.noRelayLimit(), log, state), "smtp-worker-" + i);
                thread.start();
                threads.add(thread);
            }
            try {
                new ClaimProducer(ports.transactions(), ports.deliveries(), ports.gate(), options, state, pool, enqueue)
                        .produce(campaignId, owner, rules, log, item -> putUninterruptibly(work, item));
            } finally {
                for (int i = 0; i < workers; i++) {
                    putUninterruptibly(work, SendWorker.DONE);
                }
                for (Thread thread : threads) {
                    joinUninterruptibly(thread);
                }
                flushUninterruptibly(log);
            }
            return log.unsettled();
        }
    }

    /** Waits even when interrupted, and restores the interrupt flag once done. */
    private static <T> void putUninterruptibly(BlockingQueue<T> queue, T item) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(item);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for {@code thread} to end even when interrupted, and restores the interrupt flag once done. */
    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void flushUninterruptibly(DeliveryLog log) {
        try {
            log.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (MailerException e) {
            // reported by the worker that hit it
        }
    }
}
