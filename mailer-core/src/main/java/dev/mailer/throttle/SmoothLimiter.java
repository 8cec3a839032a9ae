package dev.mailer.throttle;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * One rate (the campaign's, or one domain's) as a resilience4j limiter in a registry, holding this
 * process's share of it.
 *
 * <p>Permits are reserved rather than acquired with resilience4j's own wait so that each caller's
 * deadline applies (resilience4j's timeout belongs to the limiter, so setting it and reserving
 * happen under one lock, held for a few hundred nanoseconds and never while waiting) and an
 * interrupt surfaces as {@link InterruptedException} instead of a quiet {@code false}.
 */
final class SmoothLimiter {

    private final RateLimiterRegistry registry;
    private final String name;
    private final Rate rate;

    // All guarded by this.
    private RateLimiter limiter;
    private Cadence cadence;
    private long timeoutNanos;

    SmoothLimiter(RateLimiterRegistry registry, String name, Rate rate, int share) {
        this.registry = registry;
        this.name = name;
        this.rate = rate;
        this.cadence = Cadence.of(rate.perSecond() / share);
        // Not drained: the first message to a 1/h domain should not wait an hour.
        this.limiter = registry.rateLimiter(name, cadence.config());
        this.timeoutNanos = 0;
    }

    /**
     * Takes one permit, waiting for it until {@code deadline} ({@link System#nanoTime()} based).
     * When none would come by then, takes none and returns false at the deadline; returning at
     * once would have callers that retry spin.
     */
    boolean acquire(long deadline) throws InterruptedException {
        long wait = reserve(Math.max(0, deadline - System.nanoTime()));
        if (wait < 0) {
            sleepUntil(deadline);
            return false;
        }
        // A permit reserved and then lost to an interrupt is simply not used: slower, never faster.
        sleepUntil(System.nanoTime() + wait);
        return true;
    }

    private synchronized long reserve(long budgetNanos) {
        if (budgetNanos != timeoutNanos) {
            limiter.changeTimeoutDuration(Duration.ofNanos(budgetNanos));
            timeoutNanos = budgetNanos;
        }
        return limiter.reservePermission();
    }

    /**
     * Switches to {@code 1/share} of the rate. resilience4j cannot change a period in place, so
     * a new limiter replaces the old one in the registry; it starts empty and behind the permits
     * already promised to waiting threads, so the switch never adds a burst of old and new
     * permits together.
     */
    synchronized void reshare(int share) {
        Cadence next = Cadence.of(rate.perSecond() / share);
        if (next.equals(cadence)) {
            return;
        }
        int available = limiter.getMetrics().getAvailablePermissions();
        RateLimiter fresh = RateLimiter.of(name, next.config());
        if (available <= 0) {
            fresh.drainPermissions();
            long promisedNanos = ceilDiv(-available, cadence.permits()) * cadence.periodNanos();
            long carry = Math.min(promisedNanos / next.periodNanos() * next.permits(), Integer.MAX_VALUE / 2);
            if (carry > 0) {
                fresh.changeTimeoutDuration(Duration.ofNanos(promisedNanos + next.periodNanos()));
                fresh.reservePermission((int) carry);
            }
        }
        // When the old limiter had a permit saved up, the new one keeps its initial (at most
        // one period's) permits instead: dropping them would starve a slow domain for a period.
        registry.replace(name, fresh);
        limiter = fresh;
        cadence = next;
        timeoutNanos = -1;
    }

    private static long ceilDiv(long x, long y) {
        return (x + y - 1) / y;
    }

    // Java 17's Thread.sleep rounds to milliseconds; periods at a few thousand per second are finer.
    private static void sleepUntil(long deadline) throws InterruptedException {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
