package dev.mailer.delivery;

import java.util.List;

/**
 * The delivery log's own session with the store (see {@link DeliveryLog}). Used by one thread.
 */
public interface DeliveryWriter extends AutoCloseable {
    /**
     * Writes the outcomes and marks the rows {@code marks} 'sending' (one more attempt each), in
     * one round trip; bounces among the outcomes are recorded with them. Durable against a crash
     * of mailer when it returns (not necessarily of the database server).
     */
    void write(List<DeliveryOutcome> outcomes, List<Long> marks);

    @Override
    void close();
}
