package dev.mailer.transaction;

import java.util.function.Supplier;

/**
 * Runs work as one unit: every store call made inside the callback, on the calling thread, joins
 * one database transaction, committed when the callback returns and rolled back when it throws.
 * A unit started inside another joins the outer one. Stages depend on this, never on a connection.
 */
public interface Transactions {
    <T> T inTransaction(Supplier<T> work);

    default void inTransaction(Runnable work) {
        inTransaction(() -> {
            work.run();
            return null;
        });
    }
}
