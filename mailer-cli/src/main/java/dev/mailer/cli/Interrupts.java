package dev.mailer.cli;

import dev.mailer.error.ErrorKind;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM ask a running command to stop (a send after the messages in flight,
 * {@code serve} after the requests in progress) instead of killing the JVM at once: the command
 * then writes what it did and exits, resumable. A signal handler rather than a shutdown hook,
 * because shutdown hooks run in no set order and the embedded database's own hook could stop it
 * before the last outcomes are written.
 */
final class Interrupts {
    private Interrupts() {
    }

    /** Handlers in place until {@link #close()}, which puts the earlier ones back. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The command stops in time in every state, also one no stop request reaches at once (a
     * statement waiting for a database that stopped answering): this long after the signal the
     * process exits 130 anyway. Nothing is lost by it: in-flight marks are durable, and the next
     * run finds what was on the wire in doubt.
     */
    static final Duration GRACE = Duration.ofSeconds(9);

    static Registration onInterrupt(Runnable action) {
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        AtomicBoolean signalled = new AtomicBoolean();
        AtomicReference<Thread> forcedStop = new AtomicReference<>();
        SignalHandler handler = s -> {
            if (signalled.getAndSet(true)) {
                System.err.println("mailer: stopping now (second signal); run the same command again to continue.");
                Runtime.getRuntime().exit(ExitCodes.of(ErrorKind.INTERRUPTED));
            }
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(GRACE.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                System.err.println("mailer: still stopping after " + GRACE.toSeconds() + " s; exiting now. Run the"
                        + " same command again to continue.");
                Runtime.getRuntime().exit(ExitCodes.of(ErrorKind.INTERRUPTED));
            }, "interrupt-watchdog");
            watchdog.setDaemon(true);
            forcedStop.set(watchdog);
            watchdog.start();
            action.run();
        };
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal signal = new Signal(name);
                previous.put(signal, Signal.handle(signal, handler));
            } catch (IllegalArgumentException e) {
                // the platform has no such signal; the default behaviour stays
            }
        }
        return () -> {
            previous.forEach(Signal::handle);
            Thread watchdog = forcedStop.get();
            if (watchdog != null) {
                watchdog.interrupt(); // the command stopped in time: no forced exit
            }
        };
    }
}
