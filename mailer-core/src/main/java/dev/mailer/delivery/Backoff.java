package dev.mailer.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a deferred delivery is tried again: exponential (1, 2, 4 … minutes, at most an hour) with
 * ±20% jitter, so that a relay that came back is not hit by every deferred message at once.
 */
public final class Backoff {
    public static final Duration FIRST = Duration.ofMinutes(1);
    static final Duration LONGEST = Duration.ofHours(1);

    private Backoff() {
    }

    /** @param attempts attempts made so far, this one included (1 after the first try) */
    public static Instant next(int attempts, Instant now) {
        return next(attempts, now, FIRST);
    }

    /** As {@link #next(int, Instant)}, starting from {@code first} instead of a minute. */
    public static Instant next(int attempts, Instant now, Duration first) {
        long base = first.toMillis() << Math.min(Math.max(attempts - 1, 0), 10);
        long capped = Math.min(base, LONGEST.toMillis());
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return now.plusMillis((long) (capped * jitter));
    }
}
