package dev.mailer.delivery;

import dev.mailer.reply.Fault;
import dev.mailer.reply.Replies;
import dev.mailer.reply.ReplyVerdict;
import dev.mailer.transport.RelayTrouble;
import dev.mailer.transport.SendResult;
import java.time.Duration;
import java.time.Instant;

/**
 * What an SMTP result means for the row, by the classification of refusals ({@link Replies}): sent;
 * a refusal of the sender holds it; a rate limit defers it (never given up for that); a 5xx fails it
 * and is recorded as a bounce (hard or soft); a 4xx or a lost connection defers it with
 * {@link Backoff}, until the maximum attempts or the maximum age, when the run gives up.
 *
 * @param maxAttempts attempts after which a temporary failure fails the row
 * @param maxAge      a row older than this (since it was made) is given up at its next temporary failure
 * @param firstRetry  the wait after the first temporary failure; it doubles with each attempt
 */
public record RetryPolicy(int maxAttempts, Duration maxAge, Duration firstRetry) {

    public DeliveryOutcome outcome(Claim claim, SendResult result, String messageId, Instant now) {
        return outcome(claim, result, messageId, now, null);
    }

    /**
     * @param slowedUntil when the relay or the domain that asked to slow down takes mail again, or
     *                    null; a rate-limited row is tried again then
     */
    public DeliveryOutcome outcome(Claim claim, SendResult result, String messageId, Instant now,
                                   Instant slowedUntil) {
        int attempts = claim.attempts() + 1;
        if (result.outcome() == SendResult.Outcome.SENT) {
            return DeliveryOutcome.sent(claim, result, messageId);
        }
        if (result.outcome() == SendResult.Outcome.CONNECTION) {
            if (RelayTrouble.forGood(result)) {
                // the relay takes no mail from us at all (a login it demands, a certificate): nothing of this
                // message went anywhere, so the row is due again at once, for the run after the fix, and is
                // never given up for it
                return DeliveryOutcome.deferred(claim, result, messageId, now);
            }
            return temporary(claim, result, messageId, now, attempts);
        }
        ReplyVerdict verdict = verdict(result);
        if (verdict.fault() == Fault.SENDER) {
            return DeliveryOutcome.held(claim, result, messageId);
        }
        if (verdict.fault() == Fault.RATE_LIMIT) {
            // nobody fails for the relay's or the provider's pace: tried again, however often
            return DeliveryOutcome.deferred(claim, result, messageId,
                    slowedUntil != null && slowedUntil.isAfter(now) ? slowedUntil : Backoff.next(1, now, firstRetry));
        }
        if (result.outcome() == SendResult.Outcome.PERMANENT) {
            return DeliveryOutcome.failed(claim, result, messageId, new DeliveryOutcome.Bounce(verdict.hard(),
                    result.enhancedStatus(), result.reply()));
        }
        return temporary(claim, result, messageId, now, attempts);
    }

    /** What an SMTP refusal means (SPEC §6a). */
    public static ReplyVerdict verdict(SendResult result) {
        return Replies.classify(result.code(), result.enhancedStatus(), result.reply());
    }

    private DeliveryOutcome temporary(Claim claim, SendResult result, String messageId, Instant now, int attempts) {
        boolean tooOld = Duration.between(claim.createdAt(), now).compareTo(maxAge) > 0;
        return attempts >= maxAttempts || tooOld
                ? DeliveryOutcome.gaveUp(claim, result, messageId, attempts)
                : DeliveryOutcome.deferred(claim, result, messageId, Backoff.next(attempts, now, firstRetry));
    }
}
