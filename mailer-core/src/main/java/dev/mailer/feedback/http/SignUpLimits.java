package dev.mailer.feedback.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The sign-up form's abuse caps (SPEC §9): confirmation mails per address per day and sign-ups
 * per client address per hour. Counted in memory, for every address alike — known, unknown, erased
 * or suppressed — so that the answer (429 or not) says nothing about who is on the list, and
 * nothing about the person is stored to count them (addresses are kept only as hashes). A
 * restart forgets the counts; several serve processes count apart.
 */
final class SignUpLimits {
    private static final Duration DAY = Duration.ofDays(1);
    private static final Duration HOUR = Duration.ofHours(1);
    /** Keys kept at most per window: the oldest give way (a flood of distinct addresses cannot fill the heap). */
    private static final int MAX_KEYS = 100_000;

    private final Window perAddress;
    private final Window perClient;

    SignUpLimits(int perAddressPerDay, int perIpPerHour, LongSupplier clock) {
        this.perAddress = new Window(perAddressPerDay, DAY, clock);
        this.perClient = new Window(perIpPerHour, HOUR, clock);
    }

    SignUpLimits(int perAddressPerDay, int perIpPerHour) {
        this(perAddressPerDay, perIpPerHour, System::nanoTime);
    }

    /** Takes one sign-up from this client; false when the client is over its cap. */
    boolean allowClient(String clientIp) {
        return perClient.take(clientIp);
    }

    /** Takes {@code mails} confirmation mails for this address; false (and nothing taken) when over the cap. */
    boolean allowAddress(String normalizedEmail, int mails) {
        return perAddress.take(hash(normalizedEmail), mails);
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sliding window of events per key. */
    private static final class Window {
        private final int cap;
        private final long span;
        private final LongSupplier clock;
        private final Map<String, ArrayDeque<Long>> events = new LinkedHashMap<>();

        Window(int cap, Duration span, LongSupplier clock) {
            this.cap = cap;
            this.span = span.toNanos();
            this.clock = clock;
        }

        boolean take(String key) {
            return take(key, 1);
        }

        synchronized boolean take(String key, int count) {
            long now = clock.getAsLong();
            ArrayDeque<Long> times = events.remove(key);
            if (times == null) {
                times = new ArrayDeque<>();
            }
            while (!times.isEmpty() && now - times.peekFirst() >= span) {
                times.pollFirst();
            }
            boolean allowed = times.size() + count <= cap;
            if (allowed) {
                for (int i = 0; i < count; i++) {
                    times.addLast(now);
                }
            }
            if (!times.isEmpty()) {
                events.put(key, times); // re-inserted: the map stays in order of last use
            }
            if (events.size() > MAX_KEYS) {
                Iterator<String> oldest = events.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            return allowed;
        }
    }
}
