package dev.mailer.delivery;

import dev.mailer.audience.GateRules;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What sending needs from the store: one durable row per (campaign, contact), claimed by a sender
 * with a lease, marked 'sending' before its DATA, given its outcome after. Each call joins the
 * unit of work running on the calling thread ({@code Transactions.inTransaction}), if any.
 */
public interface DeliveryRecords {
    /**
     * A sender not heard from (heartbeat) for this long is taken for dead: its rows are taken
     * over, its in-flight rows become 'unknown', and it may no longer mark rows itself.
     */
    int SENDER_SILENT_SECONDS = 10;

    /** Rows (pending or deferred) another live sender holds now, and how long ago that sender last beat. */
    record Holder(String owner, long rows, double silentSeconds) {
    }

    /** Creates a pending row for every contact the gate lets through that has none; returns how many. */
    default int enqueue(GateRules rules) {
        return enqueue(rules, 0, Long.MAX_VALUE).added();
    }

    /**
     * The same for the contacts with ids in ({@code afterContact}, {@code upToContact}], with the
     * gate's verdicts on them counted.
     */
    EnqueuedSlice enqueue(GateRules rules, long afterContact, long upToContact);

    /**
     * Refreshes the planner's statistics of the delivery rows: planned against an "empty" table,
     * every later write of these rows would scan the whole table instead of using the primary key.
     */
    void refreshStatistics();

    /** The highest contact id now: the audience a run enqueues ends there. */
    long lastContactId();

    /**
     * Rows left 'sending' by a sender that died (silent for {@link #SENDER_SILENT_SECONDS}, or its
     * lease ran out) become 'unknown'; returns how many.
     */
    int markInDoubt(long campaignId);

    /** 'held' rows (the sender was refused) become 'pending' again for this run; returns how many. */
    int releaseHeld(long campaignId);

    /** 'unknown' rows become 'pending' again (send --resend-unknown); returns how many. */
    int resendUnknown(long campaignId);

    /**
     * Claims up to {@code batch} due rows (pending, or deferred and due) with ids above
     * {@code afterId} (0: from the start) for {@code leaseSeconds}, in id order. Rows another
     * sender holds are skipped, never waited for, unless that sender is dead (silent for
     * {@link #SENDER_SILENT_SECONDS}): then they are taken over.
     */
    List<Claim> claim(long campaignId, String owner, int batch, int leaseSeconds, long afterId);

    /** When the earliest deferred delivery is due; empty when none is deferred. */
    Optional<Instant> nextDeferred(long campaignId);

    /** Renews the leases of the rows this sender holds. */
    void extendLeases(long campaignId, String owner, int leaseSeconds);

    /**
     * Gives back claimed rows that were never handed to SMTP, so another sender can take them at
     * once; returns how many.
     */
    int releaseLeases(long campaignId, String owner);

    /** Registers this sender; senders silent for ten minutes (killed) are forgotten on the way. */
    void registerSender(long campaignId, String owner);

    /** Says this sender is alive; false when it was forgotten (taken for dead) and must register again. */
    boolean heartbeat(long campaignId, String owner);

    /** Who else holds rows of the campaign now: live senders only (dead ones' rows can be claimed). */
    List<Holder> heldByOthers(long campaignId, String owner);

    /** Senders of the campaign heard from within {@code aliveSeconds} (0 when none runs). */
    int activeSenders(long campaignId, int aliveSeconds);

    /** Removes a sender's registration: its own at the end of its run, or one found dead. */
    void forgetSender(long campaignId, String owner);

    DeliveryCounts counts(long campaignId);

    /**
     * A session of its own for the delivery log, kept for the run: it writes outcomes and marks in
     * one round trip each, outside any unit of work; failed rows with a bounce are handed to
     * {@code bounces} in the same transaction. Close it when the run ends.
     */
    DeliveryWriter openWriter(long campaignId, String owner, BounceRecorder bounces);
}
