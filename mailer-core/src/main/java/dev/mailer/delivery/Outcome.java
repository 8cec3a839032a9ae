package dev.mailer.delivery;

import java.time.Instant;

/**
 * What became of one delivery attempt, as written to its row.
 *
 * @param status        sent, deferred, failed or skipped
 * @param nextAttemptAt when a deferred delivery is tried again; null otherwise
 * @param bounce        a 5xx reply recorded as a bounce; null when none
 */
public record Outcome(long deliveryId, long contactId, String status, int code, String enhancedStatus, String reply,
                      String queueId, String messageId, Instant nextAttemptAt, String skipReason, Bounce bounce) {

    /** A permanent failure; hard when the address itself is undeliverable (then it is suppressed). */
    public record Bounce(boolean hard, String status, String diagnostic) {
    }
}
