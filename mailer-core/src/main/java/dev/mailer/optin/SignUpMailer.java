package dev.mailer.optin;

import dev.mailer.config.Purposes;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.transport.Sender;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The double opt-in messages of {@code mailer serve}'s sign-up form and preference centre. A
 * sign-up is stored first, in the request (serve answers only once the request is on record, and
 * the answer never waits on a relay); its mail goes out afterwards through a few workers. A
 * request whose mail was not sent — the queue was full, serve stopped or crashed, the relay was
 * down — is found again by a sweep every few seconds (and at start) and mailed then, by whichever
 * serve claims it. An address that must not be mailed (erased, suppressed, unsubscribed from
 * everything) gets no request and no mail; the log never says who.
 */
public final class SignUpMailer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignUpMailer.class);
    /** Mails waiting for a worker; beyond that, stored requests wait for the next sweep. */
    public static final int QUEUE = 1000;
    /** Messages on their way at once: a relay round trip each, so a few in parallel. */
    public static final int WORKERS = 4;
    /** Requests older than this are not mailed any more: the person has moved on. */
    static final Duration SWEEP_AGE = Duration.ofDays(1);
    static final Duration SWEEP_EVERY = Duration.ofSeconds(5);

    private final DoubleOptIn optIn;
    private final Sender sender;
    private final Purposes purposes;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService sweeper;
    private final Set<Long> queued = ConcurrentHashMap.newKeySet();
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
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                daemon("mailer-signup"));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("mailer-signup-sweep"));
        sweeper.scheduleWithFixedDelay(this::sweep, 0, SWEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Stores the sign-up's requests now (one per purpose) and queues their mails. An address that
     * must not be mailed stores nothing, as if it had.
     *
     * @return true; a failure of the database is thrown (serve answers 503)
     */
    public boolean submit(Job job) {
        for (String purpose : job.purposes()) {
            String version = purposes.find(purpose).map(Purposes.Purpose::textVersion).orElse(null);
            DoubleOptIn.Prepared prepared;
            try {
                prepared = optIn.prepare(job.email(), purpose, job.locale(),
                        new DoubleOptIn.Origin(job.source(), version, job.clientIp(), job.tags(), job.name()));
            } catch (MailerException e) {
                if (e.kind() != ErrorKind.USAGE) {
                    throw e;
                }
                refused.incrementAndGet(); // must not be mailed: the sentence names the address, so not logged
                continue;
            }
            queue(prepared.requestId());
        }
        return true;
    }

    private void queue(long requestId) {
        if (!queued.add(requestId)) {
            return;
        }
        try {
            workers.execute(() -> mail(requestId));
        } catch (RejectedExecutionException full) {
            queued.remove(requestId); // stored: the next sweep mails it
        }
    }

    private void mail(long requestId) {
        try {
            Optional<DoubleOptIn.Prepared> claimed = optIn.claim(requestId);
            if (claimed.isPresent()) {
                optIn.send(claimed.get(), sender);
                sent.incrementAndGet();
            }
        } catch (MailerException e) {
            failed.incrementAndGet();
            LOG.warn("a confirmation mail was not sent ({}); it is tried again within {} s", e.kind(),
                    SWEEP_EVERY.toSeconds() + 300);
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.warn("a confirmation mail was not sent: {}", e.getClass().getName());
        } finally {
            queued.remove(requestId);
        }
    }

    private void sweep() {
        try {
            int room = workers.getQueue().remainingCapacity();
            if (room > 0) {
                for (long id : optIn.unmailed(SWEEP_AGE, room)) {
                    queue(id);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("the sweep for unsent confirmation mails failed: {}", e.getClass().getName());
        }
    }

    /** Messages sent, addresses refused (must not be mailed), mails that failed (tried again later). */
    public long[] counts() {
        return new long[] {sent.get(), refused.get(), failed.get()};
    }

    /** Waits until every queued mail is handled (tests, and a graceful stop). */
    public boolean drain(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!queued.isEmpty() || workers.getActiveCount() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Stops; mails not sent yet stay stored and are sent by the next serve's sweep. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
