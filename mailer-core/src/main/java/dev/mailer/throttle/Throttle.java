package dev.mailer.throttle;

import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The campaign's rate limits for one run (SPEC §5 {@code rate} and {@code per-domain}): every
 * message waits for a permit from its recipient domain's limiter, when that domain has a rate,
 * and from the global one, when there is a global rate.
 *
 * <p>Permits come one at a time, evenly spaced, so sending never runs ahead of the rate by more
 * than about one permit (see {@link Cadence}). When several processes send the same campaign,
 * {@link #setShare(int)} gives this one its part of every rate.
 *
 * <p>A recipient domain whose provider asked us to slow down (Gmail's 4.7.28 …) also gets a
 * {@link Pace}: how many of its messages may be under way at once, and when the next may start.
 *
 * <p>Thread-safe; one instance is shared by all the sending threads of a process.
 */
public final class Throttle {

    // About 73 years: keeps deadline arithmetic clear of overflow for "wait forever" callers.
    private static final long MAX_WAIT_NANOS = Long.MAX_VALUE / 4;

    private final RateLimiterRegistry registry = RateLimiterRegistry.ofDefaults();
    private final Rate globalRate;
    private final SmoothLimiter global;
    private final Map<String, Rate> domainRates;
    private final ConcurrentMap<String, SmoothLimiter> domains = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Pace> paces = new ConcurrentHashMap<>();
    private final Pace.Settings paceSettings;
    private volatile int share = 1;

    /**
     * @param global the campaign's rate, or null for none
     * @param perDomain rates by recipient domain; domains not named are limited only globally
     */
    public Throttle(Rate global, Map<String, Rate> perDomain) {
        this(global, perDomain, Pace.Settings.DEFAULT);
    }

    /** @param paceSettings how a domain that asked to slow down pauses and recovers */
    public Throttle(Rate global, Map<String, Rate> perDomain, Pace.Settings paceSettings) {
        this.paceSettings = paceSettings;
        this.globalRate = global;
        this.global = global == null ? null : new SmoothLimiter(registry, "global", global, 1);
        Map<String, Rate> rates = new HashMap<>();
        perDomain.forEach((domain, rate) ->
                rates.put(domain.toLowerCase(Locale.ROOT), Objects.requireNonNull(rate, domain)));
        this.domainRates = Map.copyOf(rates);
    }

    /**
     * Waits for permission to send one message to {@code recipientDomain}.
     *
     * @return true with the permit taken; false when {@code maxWait} passed first, having waited
     *     that long
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean acquire(String recipientDomain, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + waitNanos(maxWait);
        SmoothLimiter domain = domainLimiter(recipientDomain);
        // Domain first. resilience4j cannot take a permit back, so reserve-and-release is not
        // on offer; in this order a domain that is out of permits never costs a global permit
        // that other domains could have used, and a slow domain's mail never holds a global
        // slot while it waits. The reverse, the global limiter running out after the domain
        // granted, wastes one permit of that domain: it can only slow the domain, not exceed it.
        if (domain != null && !domain.acquire(deadline)) {
            return false;
        }
        return global == null || global.acquire(deadline);
    }

    /**
     * Gives this process {@code 1/activeSenders} of the global and every per-domain rate, so
     * that the senders together hold the configured rates. Applies to permits not yet handed
     * out, without a burst at the switch.
     *
     * @param activeSenders processes sending this campaign now, this one included
     */
    public synchronized void setShare(int activeSenders) {
        if (activeSenders < 1) {
            throw new IllegalArgumentException("activeSenders must count this sender too: " + activeSenders);
        }
        if (activeSenders == share) {
            return;
        }
        share = activeSenders;
        if (global != null) {
            global.reshare(activeSenders);
        }
        domains.values().forEach(limiter -> limiter.reshare(activeSenders));
    }

    /** This process's share of the global rate, in messages per second; infinite without one. */
    public double globalPerSecond() {
        return globalRate == null ? Double.POSITIVE_INFINITY : globalRate.perSecond() / share;
    }

    /** The pace of a domain that asked to slow down in this run; null for the others. */
    public Pace pace(String recipientDomain) {
        return paces.get(recipientDomain.toLowerCase(Locale.ROOT));
    }

    /**
     * The domain's provider asked to slow down: from now on it has a pace, up to {@code ceiling}
     * messages at once when recovered (the pool's connections).
     *
     * @return the domain's pace, slowed down
     */
    public Pace slowDown(String recipientDomain, int ceiling) {
        Pace pace = paces.computeIfAbsent(recipientDomain.toLowerCase(Locale.ROOT),
                d -> new Pace(ceiling, paceSettings));
        pace.limited(System.nanoTime());
        return pace;
    }

    /** The domain's limiter, made on first use; null when the domain has no rate of its own. */
    SmoothLimiter domainLimiter(String recipientDomain) {
        String domain = recipientDomain.toLowerCase(Locale.ROOT);
        Rate rate = domainRates.get(domain);
        if (rate == null) {
            return null;
        }
        SmoothLimiter limiter = domains.get(domain);
        return limiter != null ? limiter : newDomainLimiter(domain, rate);
    }

    // Synchronized with setShare so that a limiter made during a re-division gets the new share.
    private synchronized SmoothLimiter newDomainLimiter(String domain, Rate rate) {
        return domains.computeIfAbsent(domain, d -> new SmoothLimiter(registry, "domain:" + d, rate, share));
    }

    private static long waitNanos(Duration maxWait) {
        if (maxWait.isNegative()) {
            return 0;
        }
        return maxWait.compareTo(Duration.ofNanos(MAX_WAIT_NANOS)) > 0 ? MAX_WAIT_NANOS : maxWait.toNanos();
    }
}
