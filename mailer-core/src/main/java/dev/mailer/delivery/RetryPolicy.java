package dev.mailer.delivery;

import dev.mailer.reply.Replies;
import dev.mailer.transport.SendResult;
import java.time.Duration;
import java.time.Instant;

/**
 * What an SMTP result means for the row: sent; a 5xx fails it and is recorded as a bounce (hard
 * or soft, {@link Replies#isHard}); a 4xx or a lost connection defers it with
 * {@link Backoff}, until the maximum attempts or the maximum age, when the run gives up.
 *
 * @param maxAttempts attempts after which a temporary failure fails the row
 * @param maxAge      a row older than this (since it was made) is given up at its next temporary failure
 * @param firstRetry  the wait after the first temporary failure; it doubles with each attempt
 */
public record RetryPolicy(int maxAttempts, Duration maxAge, Duration firstRetry) {

    public DeliveryOutcome outcome(Claim claim, SendResult result, String messageId, Instant now) {
        int attempts = claim.attempts() + 1;
        return switch (result.outcome()) {
            case SENT -> DeliveryOutcome.sent(claim, result, messageId);
            case PERMANENT -> DeliveryOutcome.failed(claim, result, messageId, new DeliveryOutcome.Bounce(
                    Replies.isHard(result.code(), result.enhancedStatus(), result.reply()),
                    result.enhancedStatus(), result.reply()));
            case TRANSIENT, CONNECTION -> {
                boolean tooOld = Duration.between(claim.createdAt(), now).compareTo(maxAge) > 0;
                yield attempts >= maxAttempts || tooOld
                        ? DeliveryOutcome.gaveUp(claim, result, messageId, attempts)
                        : DeliveryOutcome.deferred(claim, result, messageId, Backoff.next(attempts, now, firstRetry));
            }
        };
    }
}
