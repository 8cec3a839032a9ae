package dev.mailer.optin;

import dev.mailer.config.Purposes;
import dev.mailer.error.MailerException;
import dev.mailer.transport.Sender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the double opt-in messages of {@code mailer serve}'s sign-up form, away
 * from the requests (their answer never waits on a relay, and never tells known addresses from
 * unknown ones), by a few workers. An address that must not be mailed (erased, suppressed, unsubscribed from
 * everything) gets nothing; the log says only that one was refused, never who.
 */
public final class SignUpMailer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignUpMailer.class);
    /** Sign-ups waiting to be sent; beyond that the form answers 503. */
    public static final int QUEUE = 1000;
    /** Messages on their way at once: a relay round trip each, so a few in parallel. */
    public static final int WORKERS = 4;

    private final DoubleOptIn optIn;
    private final Sender sender;
    private final Purposes purposes;
    private final ThreadPoolExecutor worker;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** One sign-up for one purpose or several (one message each). */
    public record Job(String email, String name, List<String> purposes, String locale, String source,
                      String clientIp, List<String> tags) {
        public Job {
            purposes = List.copyOf(purposes);
            tags = List.copyOf(tags);
        }
    }

    public SignUpMailer(DoubleOptIn optIn, Sender sender, Purposes purposes) {
        this.optIn = optIn.withPurposes(purposes);
        this.sender = sender;
        this.purposes = purposes;
        this.worker = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), runnable -> {
            Thread thread = new Thread(runnable, "mailer-signup");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** @return false when the queue is full */
    public boolean submit(Job job) {
        try {
            worker.execute(() -> send(job));
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    private void send(Job job) {
        for (String purpose : job.purposes()) {
            String version = purposes.find(purpose).map(Purposes.Purpose::textVersion).orElse(null);
            try {
                optIn.request(job.email(), purpose, job.locale(), sender,
                        new DoubleOptIn.Origin(job.source(), version, job.clientIp(), job.tags(), job.name()));
                sent.incrementAndGet();
            } catch (MailerException e) {
                if (e.kind() == dev.mailer.error.ErrorKind.USAGE) {
                    refused.incrementAndGet(); // must not be mailed: the sentence names the address, so not logged
                } else {
                    failed.incrementAndGet();
                    LOG.warn("a sign-up confirmation was not sent: {}", e.kind());
                }
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                LOG.warn("a sign-up confirmation was not sent: {}", e.getClass().getName());
            }
        }
    }

    /** Messages sent, addresses refused (must not be mailed), messages that failed. */
    public long[] counts() {
        return new long[] {sent.get(), refused.get(), failed.get()};
    }

    /** Waits until every queued sign-up is handled (tests, and a graceful stop). */
    public boolean drain(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (worker.getQueue().size() + worker.getActiveCount() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
