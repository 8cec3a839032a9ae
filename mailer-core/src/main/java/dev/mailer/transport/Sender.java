package dev.mailer.transport;

import dev.mailer.reply.LimitedBy;
import dev.mailer.reply.Replies;
import dev.mailer.throttle.Pace;
import dev.mailer.throttle.Throttle;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Hands one built message to SMTP the way every message of mailer goes out, campaign or double
 * opt-in request: a permit from the throttle for the recipient's domain, a pooled connection
 * (failover and circuit breakers are the pool's), then the relay's answer as a {@link SendResult}.
 *
 * <p>When a recipient domain's provider asks to slow down (SPEC §6a), the domain gets a pace in
 * the throttle: its messages wait for it, while the other domains go on at full speed.
 */
public final class Sender {
    private static final Duration WAIT_STEP = Duration.ofSeconds(1);

    private final SmtpPool pool;
    private final Throttle throttle;

    public Sender(SmtpPool pool, Throttle throttle) {
        this.pool = pool;
        this.throttle = throttle;
    }

    /**
     * The relay's answer, and which relay gave it.
     *
     * @param slowedUntil when the relay or the domain that asked to slow down may be tried again;
     *                    null when nobody asked
     */
    public record Delivery(SendResult result, String relay, Instant slowedUntil) {
    }

    /**
     * Runs once per message before any byte of it can reach the relay (the durable in-flight mark),
     * also when the connection fails; false stops the message there (the sender no longer holds it).
     */
    @FunctionalInterface
    public interface BeforeData {
        boolean proceed() throws InterruptedException;
    }

    /**
     * Sends one message.
     *
     * @param giveUp asked about once a second while waiting for a permit or a connection; true
     *               abandons the message before it reached a connection
     * @return the answer; empty when given up, or stopped by {@code beforeData}, before the message
     *     was written to a connection
     */
    public Optional<Delivery> send(String envelopeFrom, String recipient, byte[] bytes, BeforeData beforeData,
                                   BooleanSupplier giveUp) throws InterruptedException {
        String domain = recipient.substring(recipient.lastIndexOf('@') + 1);
        Pace pace = throttle.pace(domain);
        while (pace != null && !pace.start(WAIT_STEP)) {
            if (giveUp.getAsBoolean()) {
                return Optional.empty();
            }
        }
        try {
            return sendPaced(envelopeFrom, recipient, domain, bytes, beforeData, giveUp);
        } finally {
            if (pace != null) {
                pace.done();
            }
        }
    }

    /**
     * When the domain that asked to slow down may be tried again; empty when it did not ask, or
     * its pause is over. Its messages are better deferred than left waiting in a sending thread.
     */
    public Optional<Instant> slowedUntil(String recipientDomain) {
        Pace pace = throttle.pace(recipientDomain);
        return pace == null || !pace.paused(System.nanoTime()) ? Optional.empty() : Optional.of(pace.resumesAt());
    }

    private Optional<Delivery> sendPaced(String envelopeFrom, String recipient, String domain, byte[] bytes,
                                         BeforeData beforeData, BooleanSupplier giveUp) throws InterruptedException {
        while (!throttle.acquire(domain, WAIT_STEP)) {
            if (giveUp.getAsBoolean()) {
                return Optional.empty();
            }
        }
        SmtpConnection connection = null;
        while (connection == null) {
            connection = pool.borrow(WAIT_STEP);
            if (connection == null && giveUp.getAsBoolean()) {
                return Optional.empty();
            }
        }
        try {
            SmtpConnection used = connection;
            return connection.send(envelopeFrom, recipient, bytes, beforeData).map(result ->
                    new Delivery(result, used.relay().describe(), slowedUntil(domain, result, used)));
        } finally {
            pool.release(connection);
        }
    }

    /** Slows the domain down when its provider asks; when the domain or the relay must wait now, until when. */
    private Instant slowedUntil(String domain, SendResult result, SmtpConnection connection) {
        if (result.sent()) {
            Pace pace = throttle.pace(domain);
            if (pace != null) {
                pace.accepted();
            }
            return null;
        }
        if (result.code() >= 400
                && Replies.classify(result.code(), result.enhancedStatus(), result.reply()).slowsDown(LimitedBy.PROVIDER)) {
            return throttle.slowDown(domain, pool.totalConnections()).resumesAt();
        }
        return pool.slowedUntil(connection).orElse(null);
    }

    public SmtpPool pool() {
        return pool;
    }
}
