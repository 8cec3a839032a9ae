package dev.mailer.campaign;

import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.error.MailerException;
import dev.mailer.throttle.Throttle;
import dev.mailer.transaction.Transactions;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This process as one sender of a campaign: registered while it runs, its heartbeat and its rows'
 * leases renewed well within the lease (so a live sender's rows never look abandoned to another),
 * the throttle's share set from the number of live senders; on close, unclaimed rows are given back
 * and the sender unregistered.
 */
final class SenderLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SenderLease.class);
    /** A sender heard from within this many seconds counts as live for the throttle's share. */
    static final int ALIVE_SECONDS = 30;

    private final Transactions transactions;
    private final DeliveryRecords deliveries;
    private final long campaignId;
    private final int leaseSeconds;
    private final String owner;
    private ScheduledExecutorService housekeeping;

    SenderLease(Transactions transactions, DeliveryRecords deliveries, long campaignId, int leaseSeconds) {
        this.transactions = transactions;
        this.deliveries = deliveries;
        this.campaignId = campaignId;
        this.leaseSeconds = leaseSeconds;
        this.owner = ManagementFactory.getRuntimeMXBean().getName() + ":" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The name this sender's leases carry. */
    String owner() {
        return owner;
    }

    /** Registers the sender; call inside the run's opening unit of work. */
    void register() {
        deliveries.registerSender(campaignId, owner);
    }

    /** Starts the heartbeat; {@code every} second {@code tick} runs too (progress), when not null. */
    void keepAlive(Throttle throttle, Runnable tick) {
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "send-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        long renewMillis = Math.max(500, Math.min(10_000, leaseSeconds * 1000L / 3));
        housekeeping.scheduleWithFixedDelay(() -> renew(throttle), renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        if (tick != null) {
            housekeeping.scheduleAtFixedRate(tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    private void renew(Throttle throttle) {
        try {
            int senders = transactions.inTransaction(() -> {
                deliveries.heartbeat(campaignId, owner);
                deliveries.extendLeases(campaignId, owner, leaseSeconds);
                return deliveries.activeSenders(campaignId, ALIVE_SECONDS);
            });
            throttle.setShare(senders);
        } catch (MailerException e) {
            // the next beat tries again; a sender whose leases run out meanwhile is fenced off its rows
            LOG.warn("Could not renew this sender's leases ({}); rows whose lease runs out will not be sent from"
                    + " here.", e.getMessage());
        }
    }

    /** Stops the heartbeat, gives back the rows never handed to SMTP, and unregisters. */
    @Override
    public void close() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        transactions.inTransaction(() -> {
            deliveries.releaseLeases(campaignId, owner);
            deliveries.unregisterSender(campaignId, owner);
        });
    }
}
