package dev.mailer.transport;

import dev.mailer.throttle.Throttle;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Hands one built message to SMTP the way every message of mailer goes out, campaign or double
 * opt-in request: a permit from the throttle for the recipient's domain, a pooled connection
 * (failover and circuit breakers are the pool's), then the relay's answer as a {@link SendResult}.
 */
public final class Sender {
    private static final Duration WAIT_STEP = Duration.ofSeconds(1);

    private final SmtpPool pool;
    private final Throttle throttle;

    public Sender(SmtpPool pool, Throttle throttle) {
        this.pool = pool;
        this.throttle = throttle;
    }

    /** The relay's answer, and which relay gave it. */
    public record Delivery(SendResult result, String relay) {
    }

    /**
     * Runs just before the message is written to the connection (the durable in-flight mark);
     * false stops the message there (the sender no longer holds it).
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
            if (!beforeData.proceed()) {
                return Optional.empty();
            }
            return Optional.of(new Delivery(connection.send(envelopeFrom, recipient, bytes),
                    connection.relay().describe()));
        } finally {
            pool.release(connection);
        }
    }

    public SmtpPool pool() {
        return pool;
    }
}
