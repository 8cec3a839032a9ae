package dev.mailer.cli;

/**
 * A one-line progress counter on the terminal (redrawn in place on stderr); without a terminal,
 * nothing: scripts and cron read the final summary.
 */
public final class Progress {
    private final CliContext context;
    private final String unit;
    private final long started = System.nanoTime();
    private boolean drawn;

    public Progress(CliContext context, String unit) {
        this.context = context;
        this.unit = unit;
    }

    public synchronized void update(long count) {
        if (!context.terminal()) {
            return;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        context.err().printf("\r  %,d %s (%,.0f/s)   ", count, unit, count / Math.max(seconds, 0.001));
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
