package dev.mailer.cli;

import java.util.LinkedHashMap;
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

    static Registration onInterrupt(Runnable action) {
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal signal = new Signal(name);
                previous.put(signal, Signal.handle(signal, s -> action.run()));
            } catch (IllegalArgumentException e) {
                // the platform has no such signal; the default behaviour stays
            }
        }
        return () -> previous.forEach(Signal::handle);
    }
}
