package dev.mailer.delivery;

/** A campaign's delivery rows by status. */
public record DeliveryCounts(long sent, long failed, long deferred, long unknown, long pending, long skipped,
                             long held, long cancelled, long total) {

    /** Rows a run still has to work on: pending and deferred. */
    public long open() {
        return pending + deferred;
    }

    /** True when no row is pending, deferred or held any more. */
    public boolean done() {
        return open() == 0 && held == 0;
    }
}
