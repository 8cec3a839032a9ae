package dev.mailer.cli;

import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM ask a running send to stop after the messages in flight, instead
 * of killing the JVM at once: the command then writes what it did and exits 130, resumable. A
 * signal handler rather than a shutdown hook, because shutdown hooks run in no set order and the
 * embedded database's own hook could stop it before the last outcomes are written.
 */
final class Interrupts {
    private Interrupts() {
    }

    static void onInterrupt(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), signal -> action.run());
            } catch (IllegalArgumentException e) {
                // the platform has no such signal; the default behaviour stays
            }
        }
    }
}
