package dev.mailer.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * How many messages may be on their way at once to a relay or a recipient domain that asked us to
 * slow down (SPEC §6a rate limit), and when the next may start. It follows the recipe Gmail
 * documents for 4.7.28: stop for a while, go on over one connection, then add connections one at
 * a time while messages are accepted again. A limit repeated during the trial doubles the pause
 * (up to {@link Settings#longestPause()}); replies to messages sent before the pause began do not.
 *
 * <p>Thread-safe; the clock is {@link System#nanoTime()}, passed in so that tests can step it.
 */
public final class Pace {

    /**
     * @param firstPause       the pause after the first limit (and after a full recovery)
     * @param longestPause     pauses double up to this
     * @param acceptedPerStep  messages accepted in a row before one more may be under way at once
     */
    public record Settings(Duration firstPause, Duration longestPause, int acceptedPerStep) {
        /** Ten seconds, doubling to five minutes; one more connection after every 20 accepted messages. */
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(10), Duration.ofMinutes(5), 20);

        public Settings {
            if (firstPause.isNegative() || longestPause.compareTo(firstPause) < 0 || acceptedPerStep < 1) {
                throw new IllegalArgumentException("bad pace settings: " + firstPause + ", " + longestPause + ", "
                        + acceptedPerStep);
            }
        }
    }

    private final int ceiling;
    private final Settings settings;
    private int allowed;
    private int underWay;
    private long pausedUntil;
    private long pauseNanos;
    private int acceptedInStep;
    private long limits;

    /** @param ceiling how many at once when not slowed down (the relay's or the pool's connections) */
    public Pace(int ceiling, Settings settings) {
        if (ceiling < 1) {
            throw new IllegalArgumentException("ceiling must be at least 1: " + ceiling);
        }
        this.ceiling = ceiling;
        this.settings = settings;
        this.allowed = ceiling;
        this.pausedUntil = System.nanoTime();
    }

    /** Takes a place for one message when the pace allows one now; give it back with {@link #done()}. */
    public synchronized boolean tryStart(long now) {
        if (now - pausedUntil < 0 || underWay >= allowed) {
            return false;
        }
        underWay++;
        return true;
    }

    /**
     * As {@link #tryStart}, waiting up to {@code maxWait} for a place.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public synchronized boolean start(Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (true) {
            long now = System.nanoTime();
            if (tryStart(now)) {
                return true;
            }
            long left = deadline - now;
            if (left <= 0) {
                return false;
            }
            long untilResume = pausedUntil - now;
            TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, untilResume > 0 ? Math.min(left, untilResume) : left));
        }
    }

    /** Gives back the place taken by {@link #tryStart} or {@link #start}. */
    public synchronized void done() {
        if (underWay <= 0) {
            throw new IllegalStateException("done() without a start");
        }
        underWay--;
        notifyAll();
    }

    /**
     * The relay or provider said to slow down: pause, then one at a time.
     *
     * @return true when this limit changed the pace; false for a reply to a message sent before the
     *     pause began (it says nothing new)
     */
    public synchronized boolean limited(long now) {
        if (now - pausedUntil < 0) {
            return false;
        }
        long longest = settings.longestPause().toNanos();
        pauseNanos = pauseNanos == 0 ? settings.firstPause().toNanos() : Math.min(longest, pauseNanos * 2);
        pausedUntil = now + pauseNanos;
        allowed = 1;
        acceptedInStep = 0;
        limits++;
        notifyAll();
        return true;
    }

    /** A message was accepted: after enough in a row, one more may be under way at once. */
    public synchronized void accepted() {
        if (allowed >= ceiling) {
            return;
        }
        if (++acceptedInStep >= settings.acceptedPerStep()) {
            acceptedInStep = 0;
            allowed++;
            if (allowed == ceiling) {
                pauseNanos = 0; // recovered: a later limit starts from the first pause again
            }
            notifyAll();
        }
    }

    /** How many may be under way at once now. */
    public synchronized int allowed() {
        return allowed;
    }

    /** Whether messages must wait (the pause is not over) at {@code now}. */
    public synchronized boolean paused(long now) {
        return now - pausedUntil < 0;
    }

    /** When the pause ends, on the wall clock; a time in the past when not paused. */
    public synchronized Instant resumesAt() {
        return Instant.now().plusNanos(pausedUntil - System.nanoTime());
    }

    /** How often the pace was slowed down. */
    public synchronized long limits() {
        return limits;
    }

    /** Whether it is back at full speed. */
    public synchronized boolean recovered() {
        return allowed == ceiling && !paused(System.nanoTime());
    }
}
