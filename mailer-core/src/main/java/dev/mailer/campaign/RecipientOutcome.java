package dev.mailer.campaign;

import java.time.OffsetDateTime;

/**
 * One recipient's row of {@code report --csv}: the delivery as it stands, with the feedback it got.
 *
 * @param email  null when the person was erased
 * @param status the delivery status' stored name
 * @param bounce "hard", "soft" or null
 */
public record RecipientOutcome(String email, String status, int attempts, Integer smtpCode, String enhancedStatus,
                               String smtpReply, String queueId, String messageId, OffsetDateTime sentAt,
                               OffsetDateTime nextAttemptAt, String skipReason, OffsetDateTime updatedAt,
                               String bounce, boolean complaint, boolean unsubscribed) {
}
