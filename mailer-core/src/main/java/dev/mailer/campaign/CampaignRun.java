package dev.mailer.campaign;

import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.GateReport;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.GateRulesJson;
import dev.mailer.audience.Recipient;
import dev.mailer.delivery.Backoff;
import dev.mailer.delivery.DeliveryLog;
import dev.mailer.delivery.Outcome;
import dev.mailer.error.ErrorCode;
import dev.mailer.error.MailerException;
import dev.mailer.feedback.BounceClassifier;
import dev.mailer.message.OutgoingMessage;
import dev.mailer.store.CampaignStore;
import dev.mailer.store.Database;
import dev.mailer.store.Stores;
import dev.mailer.store.DeliveryStore;
import dev.mailer.store.GateQuery;
import dev.mailer.template.TemplateProblem;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.SendResult;
import dev.mailer.transport.SmtpConnection;
import dev.mailer.transport.SmtpPool;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One {@code mailer send} of a campaign: the gate's eligible contacts become delivery rows; this
 * process claims rows in batches (FOR UPDATE SKIP LOCKED, with a lease), renders each message,
 * waits for the throttle, marks the row 'sending', hands the message to a pooled SMTP connection
 * and records the outcome. Several processes, on one machine or many, can run the same campaign:
 * they split the rows, and the campaign's rate is divided among them.
 */
public final class CampaignRun {
    /** Tuning of a run; {@link #defaults()} suits most. */
    public record Options(Long limit, boolean resendUnknown, int leaseSeconds, int maxAttempts, Duration maxAge,
                          Duration noRelayLimit, int claimBatch, Duration waitForDeferred) {
        public static Options defaults() {
            return new Options(null, false, 120, 5, Duration.ofHours(24), Duration.ofSeconds(60), 500,
                    Duration.ofSeconds(90));
        }

        public Options withLimit(Long limit) {
            return new Options(limit, resendUnknown, leaseSeconds, maxAttempts, maxAge, noRelayLimit, claimBatch,
                    waitForDeferred);
        }

        public Options withResendUnknown(boolean resend) {
            return new Options(limit, resend, leaseSeconds, maxAttempts, maxAge, noRelayLimit, claimBatch,
                    waitForDeferred);
        }
    }

    /**
     * Figures of this run so far, for progress bars and log lines.
     *
     * @param total the campaign's open work when the run started (pending and deferred rows, at most
     *              the limit): what this run would send alone; cooperating senders share it
     */
    public record Progress(long sent, long failed, long deferred, long skipped, long queued, double perSecond,
                           long elapsedMillis, long total) {
    }

    private record Work(DeliveryStore.Claim claim, Recipient recipient) {
    }

    private static final Work DONE = new Work(null, null);

    private final Database database;
    private final CampaignSpec spec;
    private final CampaignMessages messages;
    private final SmtpPool pool;
    private final Throttle throttle;
    private final Options options;
    private final Consumer<Progress> progress;
    private final String owner;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private volatile long total;
    private volatile boolean stopping;
    private long claimedUpTo;
    private volatile ErrorCode stoppedBy;
    private volatile String stopReason;
    private volatile RuntimeException workerFailure;

    public CampaignRun(Database database, CampaignSpec spec, CampaignMessages messages, SmtpPool pool,
                       Throttle throttle, Options options, Consumer<Progress> progress) {
        this.database = database;
        this.spec = spec;
        this.messages = messages;
        this.pool = pool;
        this.throttle = throttle;
        this.options = options;
        this.progress = progress;
        this.owner = ManagementFactory.getRuntimeMXBean().getName() + ":" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Asks the run to stop after the messages in flight (Ctrl-C); it ends with code INTERRUPTED. */
    public void interrupt() {
        stop(ErrorCode.INTERRUPTED, "interrupted");
    }

    private void stop(ErrorCode code, String reason) {
        if (!stopping) {
            stoppedBy = code;
            stopReason = reason;
            stopping = true;
        }
    }

    public RunResult run() {
        long started = System.nanoTime();
        long campaignId = database.inTransaction(connection ->
                new CampaignStore(connection).findOrCreate(spec.name(), spec.purpose(), spec.template(),
                    GateRulesJson.write(spec.gateRules(null))));
        GateRules rules = spec.gateRules(campaignId);
        GateReport gate = new ConsentGate(new Stores(database).gate()).report(rules);
        database.inTransaction(connection -> {
            DeliveryStore store = new DeliveryStore(connection);
            store.registerSender(campaignId, owner);
            store.markInDoubt(campaignId);
            if (options.resendUnknown()) {
                store.resendUnknown(campaignId);
            }
            store.enqueue(rules);
            store.setCampaignStatus(campaignId, "sending");
            Map<String, Long> counts = store.counts(campaignId);
            long open = counts.get("pending") + counts.get("deferred");
            total = options.limit() == null ? open : Math.min(open, options.limit());
            return null;
        });
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "send-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        // renew well within the lease, so a live sender's rows never look abandoned to another
        long renewMillis = Math.max(500, Math.min(10_000, options.leaseSeconds() * 1000L / 3));
        housekeeping.scheduleWithFixedDelay(() -> keepAlive(campaignId), renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        if (progress != null) {
            housekeeping.scheduleAtFixedRate(() -> progress.accept(snapshot(started)), 1, 1, TimeUnit.SECONDS);
        }
        try (DeliveryLog log = new DeliveryLog(database, campaignId)) {
            int workers = Math.max(1, pool.totalConnections());
            BlockingQueue<Work> work = new ArrayBlockingQueue<>(Math.max(options.claimBatch(), workers * 4));
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                Thread thread = new Thread(() -> work(campaignId, work, log), "smtp-worker-" + i);
                thread.start();
                threads.add(thread);
            }
            try {
                produce(campaignId, rules, work, log);
            } finally {
                for (int i = 0; i < workers; i++) {
                    putUninterruptibly(work, DONE);
                }
                for (Thread thread : threads) {
                    joinUninterruptibly(thread);
                }
                flushUninterruptibly(log);
            }
        } finally {
            housekeeping.shutdownNow();
            database.inTransaction(connection -> {
                DeliveryStore store = new DeliveryStore(connection);
                store.releaseLeases(campaignId, owner);
                store.unregisterSender(campaignId, owner);
                return null;
            });
        }
        if (workerFailure != null) {
            throw workerFailure;
        }
        Map<String, Long> counts = database.withConnection(connection -> {
            DeliveryStore store = new DeliveryStore(connection);
            Map<String, Long> c = store.counts(campaignId);
            boolean done = c.get("pending") == 0 && c.get("deferred") == 0;
            store.setCampaignStatus(campaignId, done ? "finished" : "paused");
            return c;
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        SendReport report = SendReport.sent(spec.name(), gate, counts.get("sent"), counts.get("failed"),
                counts.get("deferred"), counts.get("unknown"), seconds, sent.get() / Math.max(seconds, 0.001));
        if (progress != null) {
            progress.accept(snapshot(started));
        }
        return new RunResult(report, stoppedBy, stopReason);
    }

    private void produce(long campaignId, GateRules rules, BlockingQueue<Work> work, DeliveryLog log) {
        Long limit = options.limit();
        while (!stopping) {
            long room = limit == null ? options.claimBatch() : Math.min(options.claimBatch(), limit - queued.get());
            if (room <= 0) {
                return;
            }
            long after = claimedUpTo;
            List<DeliveryStore.Claim> claims = database.inTransaction(connection ->
                    new DeliveryStore(connection).claim(campaignId, owner, (int) room, options.leaseSeconds(), after));
            if (claims.isEmpty() && after > 0) {
                claimedUpTo = 0; // past the end: look again from the start (deferred rows now due, released leases)
                continue;
            }
            if (!claims.isEmpty()) {
                claimedUpTo = claims.get(claims.size() - 1).deliveryId();
            }
            if (claims.isEmpty()) {
                Instant next = database.withConnection(connection -> new DeliveryStore(connection).nextDeferred(campaignId));
                if (next == null || Duration.between(Instant.now(), next).compareTo(options.waitForDeferred()) > 0) {
                    return; // nothing left, or only retries due later: a later run takes them
                }
                sleepUntil(next);
                continue;
            }
            // the gate again, now: someone may have unsubscribed or bounced since the rows were made
            Map<Long, GateQuery.Inspection> now = new HashMap<>();
            database.withConnection(connection -> {
                for (GateQuery.Inspection inspection : GateQuery.inspect(connection, rules,
                        claims.stream().map(DeliveryStore.Claim::contactId).toList())) {
                    now.put(inspection.recipient().contactId(), inspection);
                }
                return null;
            });
            for (DeliveryStore.Claim claim : claims) {
                GateQuery.Inspection inspection = now.get(claim.contactId());
                if (inspection == null || inspection.reason() != null) {
                    skipped.incrementAndGet();
                    log.record(new Outcome(claim.deliveryId(), claim.contactId(), "skipped", 0, null, null, null, null,
                            null, inspection == null ? "not_in_audience" : inspection.reason(), null));
                    continue;
                }
                queued.incrementAndGet();
                putUninterruptibly(work, new Work(claim, inspection.recipient()));
            }
            checkRelays();
        }
    }

    private void checkRelays() {
        if (!pool.anyRelayUsable() && pool.unusableFor().compareTo(options.noRelayLimit()) > 0) {
            stop(ErrorCode.NO_RELAY, "no SMTP relay has been usable for " + pool.unusableFor().toSeconds() + " s");
        }
    }

    private void work(long campaignId, BlockingQueue<Work> work, DeliveryLog log) {
        try {
            while (true) {
                Work item = work.take();
                if (item == DONE) {
                    return;
                }
                if (stopping) {
                    continue; // left claimed; the leases are released when the run ends
                }
                deliver(campaignId, item, log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            workerFailure = e;
            stop(ErrorCode.INTERNAL, e.getMessage());
        }
    }

    private void deliver(long campaignId, Work item, DeliveryLog log) throws InterruptedException {
        DeliveryStore.Claim claim = item.claim();
        Recipient recipient = item.recipient();
        OutgoingMessage message;
        try {
            message = messages.build(recipient, campaignId);
        } catch (TemplateProblem problem) {
            failed.incrementAndGet();
            log.record(new Outcome(claim.deliveryId(), claim.contactId(), "failed", 0, null,
                    "template: " + problem.getMessage(), null, null, null, null, null));
            return;
        }
        String domain = recipient.emailNormalized().substring(recipient.emailNormalized().lastIndexOf('@') + 1);
        while (!throttle.acquire(domain, Duration.ofSeconds(1))) {
            if (stopping) {
                return;
            }
        }
        SmtpConnection connection = null;
        while (connection == null) {
            connection = pool.borrow(Duration.ofSeconds(1));
            if (connection == null) {
                checkRelays();
                if (stopping) {
                    return;
                }
            }
        }
        SendResult result;
        try {
            log.markSending(claim.deliveryId());
            result = connection.send(message.envelopeFrom(), message.recipient(), message.bytes());
        } finally {
            pool.release(connection);
        }
        log.record(outcome(claim, message, result));
    }

    private Outcome outcome(DeliveryStore.Claim claim, OutgoingMessage message, SendResult result) {
        int attempts = claim.attempts() + 1;
        return switch (result.outcome()) {
            case SENT -> {
                sent.incrementAndGet();
                yield new Outcome(claim.deliveryId(), claim.contactId(), "sent", result.code(), result.enhancedStatus(),
                        result.reply(), result.queueId(), message.messageId(), null, null, null);
            }
            case PERMANENT -> {
                failed.incrementAndGet();
                boolean hard = BounceClassifier.isHard(result.code(), result.enhancedStatus(), result.reply());
                yield new Outcome(claim.deliveryId(), claim.contactId(), "failed", result.code(), result.enhancedStatus(),
                        result.reply(), null, message.messageId(), null, null,
                        new Outcome.Bounce(hard, result.enhancedStatus(), result.reply()));
            }
            case TRANSIENT, CONNECTION -> {
                boolean tooOld = Duration.between(claim.createdAt(), Instant.now()).compareTo(options.maxAge()) > 0;
                if (attempts >= options.maxAttempts() || tooOld) {
                    failed.incrementAndGet();
                    yield new Outcome(claim.deliveryId(), claim.contactId(), "failed", result.code(),
                            result.enhancedStatus(), "gave up after " + attempts + " attempts: " + result.reply(), null,
                            message.messageId(), null, null, null);
                }
                deferred.incrementAndGet();
                yield new Outcome(claim.deliveryId(), claim.contactId(), "deferred", result.code(), result.enhancedStatus(),
                        result.reply(), null, message.messageId(), Backoff.next(attempts, Instant.now()), null, null);
            }
        };
    }

    private void keepAlive(long campaignId) {
        try {
            int senders = database.inTransaction(connection -> {
                DeliveryStore store = new DeliveryStore(connection);
                store.heartbeat(campaignId, owner);
                store.extendLeases(campaignId, owner, options.leaseSeconds());
                return store.activeSenders(campaignId, 30);
            });
            throttle.setShare(senders);
        } catch (MailerException e) {
            // the next beat tries again; leases are long enough to miss a few
        }
    }

    private Progress snapshot(long started) {
        long elapsed = (System.nanoTime() - started) / 1_000_000;
        return new Progress(sent.get(), failed.get(), deferred.get(), skipped.get(), queued.get(),
                sent.get() * 1000.0 / Math.max(elapsed, 1), elapsed, total);
    }

    private void sleepUntil(Instant next) {
        long millis = Math.min(1000, Math.max(50, Duration.between(Instant.now(), next).toMillis()));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(ErrorCode.INTERRUPTED, "interrupted");
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

    private static void joinUninterruptibly(Thread thread) {
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
