package dev.mailer.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The slow-down recipe, on a clock the test steps: pause, one at a time, one more after every few accepted. */
class PaceTest {
    private static final long SECOND = 1_000_000_000L;
    private final Pace.Settings settings = new Pace.Settings(Duration.ofSeconds(10), Duration.ofSeconds(40), 3);
    private final Pace pace = new Pace(3, settings);
    private final long t0 = System.nanoTime();

    @Test
    void untilAskedItLetsAsManyAsTheCeilingGoTogether() {
        assertThat(pace.tryStart(t0)).isTrue();
        assertThat(pace.tryStart(t0)).isTrue();
        assertThat(pace.tryStart(t0)).isTrue();
        assertThat(pace.tryStart(t0)).as("the ceiling").isFalse();
        pace.done();
        assertThat(pace.tryStart(t0)).isTrue();
        assertThat(pace.recovered()).isTrue();
    }

    @Test
    void aLimitPausesThenAllowsOneAndAddsOneAfterEveryFewAccepted() {
        assertThat(pace.limited(t0)).isTrue();
        assertThat(pace.tryStart(t0 + 9 * SECOND)).as("paused").isFalse();
        assertThat(pace.tryStart(t0 + 10 * SECOND)).isTrue();
        assertThat(pace.tryStart(t0 + 10 * SECOND)).as("one at a time").isFalse();
        pace.done();
        acceptInARow(3);
        assertThat(pace.allowed()).isEqualTo(2);
        acceptInARow(2);
        assertThat(pace.allowed()).as("not yet a full step").isEqualTo(2);
        acceptInARow(1);
        assertThat(pace.allowed()).isEqualTo(3);
        acceptInARow(10);
        assertThat(pace.allowed()).as("never above the ceiling").isEqualTo(3);
    }

    @Test
    void repliesToMessagesSentBeforeThePauseChangeNothingButALimitDuringTheTrialDoublesThePause() {
        assertThat(pace.limited(t0)).isTrue();
        assertThat(pace.limited(t0 + SECOND)).as("a reply already on its way").isFalse();
        assertThat(pace.paused(t0 + 10 * SECOND)).isFalse();

        assertThat(pace.limited(t0 + 10 * SECOND)).as("asked again on the one connection").isTrue();
        assertThat(pace.paused(t0 + 29 * SECOND)).as("twice as long").isTrue();
        assertThat(pace.paused(t0 + 30 * SECOND)).isFalse();
        pace.limited(t0 + 30 * SECOND);
        pace.limited(t0 + 70 * SECOND);
        assertThat(pace.paused(t0 + 109 * SECOND)).as("at most the longest pause").isTrue();
        assertThat(pace.paused(t0 + 110 * SECOND)).isFalse();
        assertThat(pace.limits()).isEqualTo(4);
    }

    @Test
    void afterAFullRecoveryTheNextLimitStartsFromTheFirstPauseAgain() {
        pace.limited(t0);
        pace.limited(t0 + 10 * SECOND); // 20 s
        acceptInARow(6);
        assertThat(pace.allowed()).isEqualTo(3);
        pace.limited(t0 + 40 * SECOND);
        assertThat(pace.paused(t0 + 49 * SECOND)).isTrue();
        assertThat(pace.paused(t0 + 50 * SECOND)).as("ten seconds again, not forty").isFalse();
    }

    private void acceptInARow(int n) {
        for (int i = 0; i < n; i++) {
            pace.accepted();
        }
    }
}
