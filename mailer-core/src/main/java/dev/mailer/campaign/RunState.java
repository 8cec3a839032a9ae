package dev.mailer.campaign;

import dev.mailer.delivery.DeliveryOutcome;
import dev.mailer.error.DatabaseUnreachable;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.transport.SmtpPool;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the parts of one run share: this run's figures, and whether (and why) it is stopping.
 * Thread-safe.
 */
final class RunState {
    private final long started = System.nanoTime();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    private final SenderFaults senderFaults = new SenderFaults();
    private final RateLimits rateLimits = new RateLimits();
    private final java.util.Set<String> heldDomains = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Handed to a sender but not sent: the run stopped first, or the row was no longer this sender's. */
    private final AtomicLong dropped = new AtomicLong();
    /** How long the progress line keeps saying that the run was asked to slow down, after the pause. */
    private static final long NOTE_SECONDS = 30;

    private volatile String waitingFor;
    private volatile String slowedDown;
    private volatile Instant slowedDownUntil = Instant.MIN;
    private volatile long heldByOthers;
    private volatile long total;
    private volatile boolean stopping;
    private volatile ErrorKind stoppedBy;
    private volatile String stopReason;
    private volatile RuntimeException failure;
    private volatile DatabaseUnreachable databaseLost;
    private volatile CampaignError templateError;

    /** Asks every part to stop after the messages in flight; the first reason given wins. */
    synchronized void stop(ErrorKind code, String reason) {
        if (!stopping) {
            stoppedBy = code;
            stopReason = reason;
            stopping = true;
        }
    }

    /** A part failed unexpectedly: the run stops, and {@link CampaignRun#run} throws it. */
    void fail(RuntimeException e) {
        failure = e;
        stop(ErrorKind.INTERNAL, e.getMessage());
    }

    /**
     * The database stopped answering: the run hands nothing more to SMTP and ends; {@link
     * CampaignRun#run} throws this (exit 6). Other failures of the database are failures.
     */
    void failed(MailerException e) {
        if (e instanceof DatabaseUnreachable gone) {
            if (databaseLost == null) {
                databaseLost = gone;
            }
            stop(ErrorKind.DATABASE_UNREACHABLE, gone.getMessage());
        } else {
            fail(e);
        }
    }

    /**
     * The template cannot be rendered for anyone (recursion, size cap): the run stops (TEMPLATE, exit
     * 2) and leaves its rows to be sent once the template is fixed.
     */
    void templateFailed(String code, String message) {
        synchronized (this) {
            if (templateError == null && !stopping) {
                templateError = new CampaignError(code, message);
            }
        }
        stop(ErrorKind.TEMPLATE, message);
    }

    /** The template problem that stopped the run, or null. */
    CampaignError templateError() {
        return templateError;
    }

    DatabaseUnreachable databaseLost() {
        return databaseLost;
    }

    boolean stopping() {
        return stopping;
    }

    ErrorKind stoppedBy() {
        return stoppedBy;
    }

    String stopReason() {
        return stopReason;
    }

    RuntimeException failure() {
        return failure;
    }

    /**
     * Stops the run (NO_RELAY) at once when every relay refused in a way retrying cannot mend, or
     * once no relay has been usable for longer than {@code limit}; the sentence names each relay's cause.
     */
    void stopIfNoRelay(SmtpPool pool, Duration limit) {
        Optional<String> refused = pool.refusedForGood();
        if (refused.isPresent()) {
            // not retried in a loop: a wrong password tried again and again locks the account
            stop(ErrorKind.NO_RELAY, "no SMTP relay can be used: " + refused.get()
                    + " (fix the --smtp URL, its password or the trust of its certificate, then run again)");
        } else if (!pool.anyRelayUsable() && pool.unusableFor().compareTo(limit) > 0) {
            String causes = pool.lastFailures();
            stop(ErrorKind.NO_RELAY, "no SMTP relay has been usable for " + pool.unusableFor().toSeconds() + " s"
                    + (causes.isEmpty() ? "" : " (" + causes + ")"));
        }
    }

    void total(long total) {
        this.total = total;
    }

    /** Work handed to the senders so far. */
    long queued() {
        return queued.get();
    }

    /** Messages handed to the senders that have no outcome yet. */
    long inFlight() {
        return queued.get() - sent.get() - failed.get() - deferred.get() - held.get() - dropped.get();
    }

    RateLimits rateLimits() {
        return rateLimits;
    }

    SenderFaults senderFaults() {
        return senderFaults;
    }

    /** After enough sender faults from one domain its remaining rows are held without being tried. */
    void holdDomain(String domain) {
        heldDomains.add(domain);
    }

    boolean domainHeld(String domain) {
        return heldDomains.contains(domain);
    }

    /** A message handed to a sender was not sent (the run is stopping, or the row was fenced). */
    void droppedOne() {
        dropped.incrementAndGet();
    }

    /** Rows live cooperating senders held when this run found nothing more to do. */
    void heldByOthers(long rows) {
        heldByOthers = rows;
    }

    long heldByOthers() {
        return heldByOthers;
    }

    /** What the run waits for, said on the progress line; null when it does not wait. */
    void waitingFor(String what) {
        waitingFor = what;
    }

    /** A relay or a provider asked to slow down: said on the progress line while its pause lasts. */
    void slowedDown(String note, Instant until) {
        slowedDown = note;
        slowedDownUntil = until == null ? Instant.now() : until;
    }

    void queuedOne() {
        queued.incrementAndGet();
    }

    long sent() {
        return sent.get();
    }

    /** Counts an outcome of this run. */
    void count(DeliveryOutcome outcome) {
        switch (outcome.status()) {
            case SENT -> sent.incrementAndGet();
            case FAILED -> failed.incrementAndGet();
            case DEFERRED -> deferred.incrementAndGet();
            case HELD -> held.incrementAndGet();
            case SKIPPED -> skipped.incrementAndGet();
            default -> throw new IllegalArgumentException("not an outcome: " + outcome.status());
        }
    }

    double elapsedSeconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    CampaignRun.Progress progress() {
        long elapsed = (System.nanoTime() - started) / 1_000_000;
        return new CampaignRun.Progress(sent.get(), failed.get(), deferred.get(), skipped.get(), queued.get(),
                sent.get() * 1000.0 / Math.max(elapsed, 1), elapsed, total,
                waitingFor != null || Instant.now().isAfter(slowedDownUntil.plusSeconds(NOTE_SECONDS))
                        ? waitingFor : slowedDown);
    }
}
