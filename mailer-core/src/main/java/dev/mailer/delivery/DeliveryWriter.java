package dev.mailer.delivery;

import java.util.List;
import java.util.Set;

/**
 * The delivery log's own session with the store (see {@link DeliveryLog}). Used by one thread.
 */
public interface DeliveryWriter extends AutoCloseable {
    /**
     * Writes the outcomes and marks the rows {@code marks} 'sending' (one more attempt each), in
     * one round trip; bounces among the outcomes are recorded with them. Durable, also against a
     * crash of the database server, when it returns. A row is marked only while the writer's
     * sender still holds its lease (the fence).
     *
     * @return the rows that were marked
     */
    Set<Long> write(List<DeliveryOutcome> outcomes, List<Long> marks);

    @Override
    void close();
}
