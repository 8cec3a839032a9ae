package dev.mailer.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.transport.SendResult;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What an SMTP result makes of a row, without a database or a relay. */
class RetryPolicyTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final RetryPolicy POLICY = new RetryPolicy(3, Duration.ofHours(24), Duration.ofMinutes(1));

    private static Claim claim(int attempts, Duration age) {
        return new Claim(7, 42, attempts, NOW.minus(age));
    }

    @Test
    void a250IsSentWithTheRelaysQueueId() {
        DeliveryOutcome outcome = POLICY.outcome(claim(0, Duration.ZERO),
                new SendResult(SendResult.Outcome.SENT, 250, "2.0.0", "250 2.0.0 Ok: queued as Q1", "Q1"), "<m@x>", NOW);

        assertThat(outcome.status()).isEqualTo(DeliveryState.SENT);
        assertThat(outcome.queueId()).isEqualTo("Q1");
        assertThat(outcome.messageId()).isEqualTo("<m@x>");
        assertThat(outcome.bounce()).isNull();
        assertThat(outcome.nextAttemptAt()).isNull();
    }

    @Test
    void a5xxFailsTheRowAsAHardOrSoftBounce() {
        DeliveryOutcome unknown = POLICY.outcome(claim(0, Duration.ZERO), new SendResult(SendResult.Outcome.PERMANENT,
                550, "5.1.1", "550 5.1.1 User unknown", null), "<m@x>", NOW);
        DeliveryOutcome full = POLICY.outcome(claim(0, Duration.ZERO), new SendResult(SendResult.Outcome.PERMANENT,
                552, "5.2.2", "552 5.2.2 Mailbox full", null), "<m@x>", NOW);

        assertThat(unknown.status()).isEqualTo(DeliveryState.FAILED);
        assertThat(unknown.bounce()).isEqualTo(new DeliveryOutcome.Bounce(true, "5.1.1", "550 5.1.1 User unknown"));
        assertThat(full.status()).isEqualTo(DeliveryState.FAILED);
        assertThat(full.bounce().hard()).isFalse();
    }

    @Test
    void aTemporaryFailureDefersWithBackoffUntilTheLastAttempt() {
        SendResult busy = new SendResult(SendResult.Outcome.TRANSIENT, 451, "4.3.0", "451 4.3.0 Try again later", null);

        DeliveryOutcome first = POLICY.outcome(claim(0, Duration.ZERO), busy, "<m@x>", NOW);
        DeliveryOutcome second = POLICY.outcome(claim(1, Duration.ZERO), busy, "<m@x>", NOW);
        DeliveryOutcome last = POLICY.outcome(claim(2, Duration.ZERO), busy, "<m@x>", NOW);

        assertThat(first.status()).isEqualTo(DeliveryState.DEFERRED);
        assertThat(first.nextAttemptAt()).isBetween(NOW.plusSeconds(48), NOW.plusSeconds(72));
        assertThat(second.nextAttemptAt()).as("doubled").isBetween(NOW.plusSeconds(96), NOW.plusSeconds(144));
        assertThat(last.status()).isEqualTo(DeliveryState.FAILED);
        assertThat(last.reply()).isEqualTo("gave up after 3 attempts: 451 4.3.0 Try again later");
        assertThat(last.bounce()).as("giving up is no bounce").isNull();
    }

    @Test
    void aLostConnectionOnARowOlderThanTheMaximumAgeIsGivenUp() {
        SendResult lost = new SendResult(SendResult.Outcome.CONNECTION, 0, null, "connection reset", null);

        DeliveryOutcome young = POLICY.outcome(claim(0, Duration.ofHours(1)), lost, "<m@x>", NOW);
        DeliveryOutcome old = POLICY.outcome(claim(0, Duration.ofHours(25)), lost, "<m@x>", NOW);

        assertThat(young.status()).isEqualTo(DeliveryState.DEFERRED);
        assertThat(old.status()).isEqualTo(DeliveryState.FAILED);
        assertThat(old.code()).isZero();
        assertThat(old.reply()).isEqualTo("gave up after 1 attempts: connection reset");
    }

    @Test
    void aRateLimitDefersToTheEndOfThePauseAndIsNeverGivenUp() {
        SendResult throttled = new SendResult(SendResult.Outcome.TRANSIENT, 454, null,
                "454 Throttling failure: Maximum sending rate exceeded.", null);

        DeliveryOutcome paused = POLICY.outcome(claim(9, Duration.ZERO), throttled, "<m@x>", NOW, NOW.plusSeconds(10));

        assertThat(paused.status()).isEqualTo(DeliveryState.DEFERRED);
        assertThat(paused.nextAttemptAt()).isEqualTo(NOW.plusSeconds(10));
    }

    @Test
    void aRelayThatTakesNoMailFromUsLeavesTheRowDueAtOnceAndNeverGivesItUp() {
        SendResult login = new SendResult(SendResult.Outcome.CONNECTION, 530, "5.7.0", "530 5.7.0 Authentication required",
                null);

        DeliveryOutcome outcome = POLICY.outcome(claim(9, Duration.ofDays(3)), login, "<m@x>", NOW);

        assertThat(outcome.status()).isEqualTo(DeliveryState.DEFERRED);
        assertThat(outcome.nextAttemptAt()).isEqualTo(NOW);
    }
}
