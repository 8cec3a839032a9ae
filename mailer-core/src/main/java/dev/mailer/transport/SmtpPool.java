package dev.mailer.transport;

import dev.mailer.reply.LimitedBy;
import dev.mailer.reply.Replies;
import dev.mailer.throttle.Pace;
import dev.mailer.transport.SendResult.Outcome;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocketFactory;

/**
 * Long-lived SMTP connections to one or more relays, lent to one sending thread at a time.
 *
 * <p>A borrower gets a connection of the first relay, in the order given, that has a free slot
 * (at most {@code connections} per relay) and whose circuit breaker lets it through; so the
 * first relay carries the load while it can and later relays take the overflow and the load of
 * a dead one. A connection is opened before it is handed out, so a relay that refuses
 * connections costs a failover, not a message.
 *
 * <p>Each relay has a circuit breaker that counts failures of the relay itself (CONNECTION
 * outcomes and 421 replies, at connect or during a send) and opens after {@value #FAILURES_TO_OPEN}
 * in a row: the relay is then skipped for the cool-down, after which one borrower tries it again.
 *
 * <p>A relay that asks to slow down (SPEC §6a rate limit: "454 Throttling failure", "421 too many
 * connections") is not failing: its {@link Pace} pauses it, then lends one connection at a time and
 * more as messages are accepted again; connections beyond its pace are closed as they come back.
 */
public final class SmtpPool implements AutoCloseable {

    static final int FAILURES_TO_OPEN = 5;
    public static final Duration DEFAULT_COOL_DOWN = Duration.ofSeconds(10);

    /** How often a waiting borrower looks again at relays that failed or were cooling down. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long USABLE = Long.MIN_VALUE;
    private static final long MAX_WAIT_MILLIS = TimeUnit.DAYS.toMillis(1);

    private final List<Relay> relays = new ArrayList<>();
    private final Map<SmtpConnection, Lease> leases = new IdentityHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    /** System.nanoTime() when every relay's breaker had opened, or USABLE. */
    private final AtomicLong unusableSince = new AtomicLong(USABLE);
    /** For every relay's TLS, or null for the JVM's default. */
    private final SSLSocketFactory tlsSockets;
    private boolean closed;

    public SmtpPool(List<SmtpRelay> relays) {
        this(relays, DEFAULT_COOL_DOWN);
    }

    /** @param coolDown how long a relay that kept failing is skipped before it is tried again */
    public SmtpPool(List<SmtpRelay> relays, Duration coolDown) {
        this(relays, coolDown, null);
    }

    /**
     * @param tlsSockets makes the TLS sockets of every connection and so decides which
     *                   certificates are trusted; null for the JVM's default (see
     *                   {@link SmtpConnection#SmtpConnection(SmtpRelay, SSLSocketFactory)})
     */
    public SmtpPool(List<SmtpRelay> relays, Duration coolDown, SSLSocketFactory tlsSockets) {
        this(relays, coolDown, tlsSockets, Pace.Settings.DEFAULT);
    }

    /** @param paceSettings how a relay that asked to slow down pauses and recovers */
    public SmtpPool(List<SmtpRelay> relays, Duration coolDown, SSLSocketFactory tlsSockets,
                    Pace.Settings paceSettings) {
        this.tlsSockets = tlsSockets;
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("no relays");
        }
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                // a window of N calls that must all fail = N failures in a row
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(FAILURES_TO_OPEN)
                .minimumNumberOfCalls(FAILURES_TO_OPEN)
                .failureRateThreshold(100)
                .waitDurationInOpenState(coolDown)
                .permittedNumberOfCallsInHalfOpenState(1)
                .writableStackTraceEnabled(false)
                .build();
        for (int i = 0; i < relays.size(); i++) {
            SmtpRelay relay = relays.get(i);
            this.relays.add(new Relay(relay, CircuitBreaker.of("relay-" + (i + 1) + " " + relay.describe(), config),
                    new Pace(relay.connections(), paceSettings)));
        }
    }

    /**
     * Lends an open connection, waiting up to {@code maxWait} for a free slot on a usable relay.
     * Give it back with {@link #release} in a finally block.
     *
     * @return the connection, or null when none could be had in time (all busy or no relay usable;
     *         see {@link #anyRelayUsable()}), or when the thread was interrupted (flag kept)
     * @throws IllegalStateException if the pool is closed
     */
    public SmtpConnection borrow(Duration maxWait) {
        long deadline = System.nanoTime() + Math.max(0, Math.min(maxWait.toMillis(), MAX_WAIT_MILLIS)) * 1_000_000L;
        Set<Relay> failedNow = new HashSet<>();
        while (true) {
            Lease lease = reserve(failedNow, deadline);
            if (lease == null) {
                return null;
            }
            // connecting takes up to the relay's timeout: done outside the lock
            if (lease.connection.open()) {
                return lease.connection;
            }
            // kept for the next try: the failure was recorded, and an unopened connection costs nothing
            failedNow.add(lease.relay);
            release(lease.connection);
        }
    }

    /** Takes a borrowed connection back for the next borrower; it stays open. */
    public void release(SmtpConnection connection) {
        boolean closeIt;
        lock.lock();
        try {
            Lease lease = leases.remove(connection);
            if (lease == null) {
                throw new IllegalStateException("this connection is not borrowed from this pool");
            }
            Relay r = lease.relay;
            r.leased--;
            if (connection.sends() == lease.sendsAtBorrow && connection.isOpen()) {
                // lent but unused: hand back a half-open breaker's trial permit (a no-op when closed)
                r.breaker.releasePermission();
            }
            // a relay that asked to slow down keeps only the connections its pace allows
            closeIt = closed || connection.isOpen() && r.openConnections() >= r.pace.allowed();
            if (!closeIt && connection.isOpen()) {
                r.idle.addFirst(connection); // most recently used first: likeliest still alive
            } else if (!closeIt) {
                r.idle.addLast(connection); // open ones go first; this one must connect again
            }
            released.signal();
        } finally {
            lock.unlock();
        }
        if (closeIt) {
            connection.close();
        }
    }

    /**
     * When the relay that lent {@code connection} may be used again after it asked to slow down;
     * empty when it is not paused. Ask before releasing the connection.
     */
    public Optional<Instant> slowedUntil(SmtpConnection connection) {
        Relay relay;
        lock.lock();
        try {
            Lease lease = leases.get(connection);
            relay = lease == null ? null : lease.relay;
        } finally {
            lock.unlock();
        }
        return relay == null || !relay.pace.paused(System.nanoTime()) ? Optional.empty()
                : Optional.of(relay.pace.resumesAt());
    }

    /** The most connections the pool opens at once, over all relays: how many senders can work. */
    public int totalConnections() {
        return relays.stream().mapToInt(r -> r.config.connections()).sum();
    }

    /** False once every relay's breaker has opened and no relay has answered properly since. */
    public boolean anyRelayUsable() {
        return unusableSince.get() == USABLE;
    }

    /**
     * When every relay failed in a way retrying cannot mend: each one's cause, e.g. {@code
     * smtp://relay.example:587: 535 5.7.8 authentication failed}; empty while one is still worth trying.
     */
    public Optional<String> refusedForGood() {
        lock.lock();
        try {
            if (relays.stream().anyMatch(r -> r.refusedForGood == null)) {
                return Optional.empty();
            }
            return Optional.of(String.join("; ", relays.stream().map(r -> r.refusedForGood).toList()));
        } finally {
            lock.unlock();
        }
    }

    /** Each relay's last failure, e.g. for "no relay has been usable for 60 s (…)"; empty when none failed. */
    public String lastFailures() {
        return String.join("; ", relays.stream().map(r -> r.lastFailure).filter(java.util.Objects::nonNull).toList());
    }

    /** How long no relay has been usable; zero while one is. */
    public Duration unusableFor() {
        long since = unusableSince.get();
        return since == USABLE ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** Closes idle connections now and borrowed ones when they come back. */
    @Override
    public void close() {
        List<SmtpConnection> idle = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (Relay r : relays) {
                idle.addAll(r.idle);
                r.idle.clear();
            }
            released.signalAll();
        } finally {
            lock.unlock();
        }
        idle.forEach(SmtpConnection::close);
    }

    /** Takes a slot on the first relay that has one and lets us through; waits until the deadline. */
    private Lease reserve(Set<Relay> failedNow, long deadline) {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("the SMTP pool is closed");
                }
                for (Relay r : relays) {
                    // room is checked before permission: a half-open breaker's single trial
                    // permit must not be taken by a borrower that then cannot use the relay
                    if (r.refusedForGood != null || failedNow.contains(r) || !r.hasRoom(System.nanoTime())
                            || !r.breaker.tryAcquirePermission()) {
                        continue;
                    }
                    SmtpConnection c = r.idle.pollFirst();
                    if (c == null) {
                        c = new SmtpConnection(r.config, tlsSockets, result -> record(r, result));
                    }
                    r.leased++;
                    Lease lease = new Lease(r, c, c.sends());
                    leases.put(c, lease);
                    return lease;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                // woken by a release, or after a while to see breakers that have cooled down and
                // to try again relays that failed a moment ago
                released.awaitNanos(Math.min(left, RECHECK_NANOS));
                failedNow.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Called by a connection after every send or connect attempt, on the borrower's thread. */
    private void record(Relay relay, SendResult result) {
        if (result.outcome() == Outcome.CONNECTION && RelayTrouble.forGood(result)) {
            lock.lock();
            try {
                relay.refusedForGood = RelayTrouble.describe(relay.config, result);
            } finally {
                lock.unlock();
            }
        }
        if (result.code() >= 400 && Replies.classify(result.code(), result.enhancedStatus(), result.reply())
                .slowsDown(LimitedBy.RELAY)) {
            // not a failure of the relay: its pace, not its breaker (a 421 "too many connections" too)
            if (relay.pace.limited(System.nanoTime())) {
                closeIdleBeyondPace(relay);
            }
            return;
        }
        if (result.outcome() == Outcome.CONNECTION || result.code() == 421) {
            relay.lastFailure = RelayTrouble.describe(relay.config, result);
            relay.breaker.onError(0, TimeUnit.NANOSECONDS, new RelayFailure(result.reply()));
            if (relays.stream().allMatch(r -> r.breaker.getState() == CircuitBreaker.State.OPEN)) {
                unusableSince.compareAndSet(USABLE, System.nanoTime());
            }
        } else {
            if (result.sent()) {
                relay.pace.accepted();
            }
            relay.breaker.onSuccess(0, TimeUnit.NANOSECONDS);
            if (unusableSince.get() != USABLE) {
                unusableSince.set(USABLE);
            }
        }
    }

    private void closeIdleBeyondPace(Relay relay) {
        List<SmtpConnection> surplus = new ArrayList<>();
        lock.lock();
        try {
            while (relay.openConnections() > relay.pace.allowed() && !relay.idle.isEmpty()
                    && relay.idle.peekFirst().isOpen()) {
                surplus.add(relay.idle.pollFirst());
            }
        } finally {
            lock.unlock();
        }
        surplus.forEach(SmtpConnection::close);
    }

    private static final class Relay {
        final SmtpRelay config;
        final CircuitBreaker breaker;
        final Pace pace;
        final ArrayDeque<SmtpConnection> idle = new ArrayDeque<>();
        /** Why the relay is not tried again in this run (a refused login, an untrusted certificate), or null. */
        String refusedForGood;
        volatile String lastFailure;
        /** Connections lent out or being opened for a borrower. */
        int leased;

        Relay(SmtpRelay config, CircuitBreaker breaker, Pace pace) {
            this.config = config;
            this.breaker = breaker;
            this.pace = pace;
        }

        boolean hasRoom(long now) {
            return (!idle.isEmpty() || leased < config.connections()) && leased < pace.allowed() && !pace.paused(now);
        }

        /** Connections lent out and idle ones still open (idle ones are kept open first). */
        int openConnections() {
            return leased + (int) idle.stream().filter(SmtpConnection::isOpen).count();
        }
    }

    private record Lease(Relay relay, SmtpConnection connection, long sendsAtBorrow) {
    }

    /** What the breaker records; its text is a reply or a host, never a password. */
    private static final class RelayFailure extends Exception {
        RelayFailure(String message) {
            super(message, null, false, false);
        }
    }
}
