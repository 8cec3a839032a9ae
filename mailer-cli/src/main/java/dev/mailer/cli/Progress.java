package dev.mailer.cli;

import java.time.Duration;

/**
 * A one-line progress counter on the terminal (redrawn in place on stderr); without a terminal,
 * nothing: scripts and cron read the final summary. Work that is usually quick can stay quiet for
 * its first moments, so that only a long run draws.
 */
public final class Progress {
    private final CliContext context;
    private final String unit;
    private final long quietNanos;
    private final long started = System.nanoTime();
    private boolean drawn;

    public Progress(CliContext context, String unit) {
        this(context, unit, Duration.ZERO);
    }

    /** @param quietFor how long after the start nothing is drawn */
    public Progress(CliContext context, String unit, Duration quietFor) {
        this.context = context;
        this.unit = unit;
        this.quietNanos = quietFor.toNanos();
    }

    public synchronized void update(long count) {
        update(count, null);
    }

    /** @param detail what is being done now (a table's name, "42%"), or null */
    public synchronized void update(long count, String detail) {
        if (!context.terminal()) {
            return;
        }
        long elapsed = System.nanoTime() - started;
        if (elapsed < quietNanos) {
            return;
        }
        double seconds = elapsed / 1e9;
        context.err().printf("\r  %,d %s (%,.0f/s)%s   ", count, unit, count / Math.max(seconds, 0.001),
                detail == null ? "" : ", " + detail);
        context.err().flush();
        drawn = true;
    }

    public synchronized void done() {
        if (drawn) {
            context.err().print("\r\033[K");
            context.err().flush();
        }
    }
}
