package dev.mailer.campaign;

import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.throttle.Throttle;
import dev.mailer.transaction.Transactions;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process as one sender of a campaign: registered while it runs and beating every couple of
 * seconds (a sender silent for {@link DeliveryRecords#SENDER_SILENT_SECONDS} is taken for dead:
 * its rows are taken over and it may no longer mark rows itself), its rows' leases renewed well
 * within the lease, the throttle's share set from the number of live senders; on close, unclaimed
 * rows are given back and the sender unregistered.
 *
 * <p>Its name is {@code pid@host:random}, so that a run on the same machine can tell at once that
 * a sender's process is gone (killed) instead of waiting for its silence.
 */
final class SenderLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SenderLease.class);
    /** Well within the silence limit: a live sender is never more than this (plus a GC pause) silent. */
    static final long HEARTBEAT_MILLIS = 2_000;
    private static final String THIS_PROCESS = ManagementFactory.getRuntimeMXBean().getName();

    private final Transactions transactions;
    private final DeliveryRecords deliveries;
    private final long campaignId;
    private final int leaseSeconds;
    private final String owner;
    private volatile long lastBeat = System.nanoTime();
    private ScheduledExecutorService housekeeping;

    SenderLease(Transactions transactions, DeliveryRecords deliveries, long campaignId, int leaseSeconds) {
        this.transactions = transactions;
        this.deliveries = deliveries;
        this.campaignId = campaignId;
        this.leaseSeconds = leaseSeconds;
        this.owner = THIS_PROCESS + ":" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The name this sender's leases carry. */
    String owner() {
        return owner;
    }

    /** Registers the sender; call inside the run's opening unit of work. */
    void register() {
        deliveries.registerSender(campaignId, owner);
        lastBeat = System.nanoTime();
    }

    /**
     * Starts the heartbeat; every second {@code tick} runs too (progress), when not null. A beat
     * that finds the database gone hands the failure to {@code databaseLost}, and so does one that
     * fails unexpectedly (the run then stops as an internal error).
     */
    void keepAlive(Throttle throttle, Runnable tick, Consumer<MailerException> databaseLost) {
        // The registration's heartbeat is the opening unit of work's start (PostgreSQL's now()), and
        // a long enqueue (a million contacts) puts that past the silence limit: the first marks were
        // fenced off as a dead sender's. So the first beat goes now, before any row is claimed.
        transactions.inTransaction(() -> deliveries.heartbeat(campaignId, owner));
        lastBeat = System.nanoTime();
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "send-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(() -> beat(throttle, databaseLost), HEARTBEAT_MILLIS, HEARTBEAT_MILLIS,
                TimeUnit.MILLISECONDS);
        long renewMillis = Math.max(500, Math.min(10_000, leaseSeconds * 1000L / 3));
        housekeeping.scheduleWithFixedDelay(() -> renewLeases(databaseLost), renewMillis, renewMillis,
                TimeUnit.MILLISECONDS);
        if (tick != null) {
            housekeeping.scheduleAtFixedRate(tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    private void beat(Throttle throttle, Consumer<MailerException> databaseLost) {
        try {
            long silentMillis = (System.nanoTime() - lastBeat) / 1_000_000;
            int senders = transactions.inTransaction(() -> {
                if (!deliveries.heartbeat(campaignId, owner)) {
                    LOG.warn("Another sender took this one for dead (not heard from for {} s); rows it took over are"
                            + " left to it, and this sender goes on with rows nobody holds.", silentMillis / 1000);
                    deliveries.registerSender(campaignId, owner);
                }
                // this sender counts even in the moment it was taken for dead and registers again
                return Math.max(1, deliveries.activeSenders(campaignId, DeliveryRecords.SENDER_SILENT_SECONDS));
            });
            if (silentMillis > DeliveryRecords.SENDER_SILENT_SECONDS * 1000L) {
                LOG.warn("This sender was not heard from for {} s (paused, or cut off from the database); rows"
                        + " another sender took over meanwhile are not sent from here.", silentMillis / 1000);
            }
            lastBeat = System.nanoTime();
            throttle.setShare(senders);
        } catch (MailerException e) {
            failed(e, databaseLost);
        } catch (RuntimeException | Error e) {
            // a scheduled task that throws is never run again: the sender would fall silent unexplained
            databaseLost.accept(new MailerException(ErrorKind.INTERNAL, "The sender's heartbeat failed: " + e, e));
        }
    }

    private void renewLeases(Consumer<MailerException> databaseLost) {
        try {
            transactions.inTransaction(() -> {
                deliveries.extendLeases(campaignId, owner, leaseSeconds);
                return null;
            });
        } catch (MailerException e) {
            failed(e, databaseLost);
        } catch (RuntimeException | Error e) {
            // a scheduled task that throws is never run again: the sender would fall silent unexplained
            databaseLost.accept(new MailerException(ErrorKind.INTERNAL, "The sender's heartbeat failed: " + e, e));
        }
    }

    private static void failed(MailerException e, Consumer<MailerException> databaseLost) {
        if (e.kind() == ErrorKind.DATABASE_UNREACHABLE) {
            databaseLost.accept(e);
        } else {
            // the next beat tries again; a sender that stays silent is fenced off its rows
            LOG.warn("Could not renew this sender's heartbeat or leases ({}); rows are not sent from here once"
                    + " another sender takes them over.", e.getMessage());
        }
    }

    /**
     * Whether {@code sender} names a process of this machine that is gone: a killed sender, whose
     * rows can be taken over at once. Empty when it cannot be told (another machine, a name in
     * another form); then only its silence tells.
     */
    static Optional<Boolean> goneFromThisMachine(String sender) {
        int at = sender.indexOf('@');
        int colon = sender.lastIndexOf(':');
        int ourAt = THIS_PROCESS.indexOf('@');
        if (at <= 0 || colon <= at || ourAt <= 0) {
            return Optional.empty();
        }
        String host = sender.substring(at + 1, colon);
        if (!host.equals(THIS_PROCESS.substring(ourAt + 1))) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(sender.substring(0, at));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    }

    /** Stops the heartbeat and leaves the rows as they are (the database is gone). */
    void abandon() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
            try {
                // a beat still running would otherwise register this sender again after close
                housekeeping.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops the heartbeat, gives back the rows never handed to SMTP, and unregisters. Should the
     * database be gone by now, the rows become free once this sender's silence is noticed.
     */
    @Override
    public void close() {
        abandon();
        try {
            transactions.inTransaction(() -> {
                deliveries.releaseLeases(campaignId, owner);
                deliveries.forgetSender(campaignId, owner);
                return null;
            });
        } catch (MailerException e) {
            if (e.kind() != ErrorKind.DATABASE_UNREACHABLE) {
                throw e;
            }
            LOG.debug("Could not unregister the sender: {}", e.getMessage());
        }
    }
}
