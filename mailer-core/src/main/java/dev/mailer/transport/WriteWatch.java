package dev.mailer.transport;

import java.net.Socket;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Write timeouts for SMTP sockets: a write that has not returned after its timeout has its socket
 * closed, which makes the write fail. One daemon thread looks at the writes under way four times
 * a second; a write costs two map operations, where a timer task per write (scheduled and
 * cancelled) cost a thread wake-up each and 3% of a sender's CPU.
 */
final class WriteWatch {
    private static final long LOOK_EVERY_MILLIS = 250;
    private static final ConcurrentHashMap<Long, Write> WRITES = new ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();
    private static volatile Thread watcher;

    private record Write(Socket socket, long deadlineNanos) {
    }

    private WriteWatch() {
    }

    /** A write to {@code socket} starts now; give the returned id to {@link #done}. */
    static long start(Socket socket, long timeoutMillis) {
        ensureWatcher();
        long id = IDS.incrementAndGet();
        WRITES.put(id, new Write(socket, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis)));
        return id;
    }

    static void done(long id) {
        WRITES.remove(id);
    }

    private static void ensureWatcher() {
        if (watcher == null) {
            synchronized (WriteWatch.class) {
                if (watcher == null) {
                    Thread t = new Thread(WriteWatch::watch, "smtp-write-timeouts");
                    t.setDaemon(true);
                    t.start();
                    watcher = t;
                }
            }
        }
    }

    private static void watch() {
        while (true) {
            try {
                Thread.sleep(LOOK_EVERY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            WRITES.forEach((id, write) -> {
                if (now - write.deadlineNanos() > 0 && WRITES.remove(id, write)) {
                    SmtpWire.closeQuietly(write.socket());
                }
            });
        }
    }
}
