package dev.mailer.delivery;

import java.time.Instant;

/**
 * A delivery row claimed by one sender, under its lease.
 *
 * @param attempts  attempts made before this claim
 * @param createdAt when the row was made: a row older than the run's maximum age is given up
 */
public record Claim(long deliveryId, long contactId, int attempts, Instant createdAt) {
}
