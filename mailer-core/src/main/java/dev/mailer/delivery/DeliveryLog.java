package dev.mailer.delivery;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes delivery state with group commit. Before a message's DATA goes out its row is marked
 * 'sending' and the sender waits for that commit; its outcome is queued and written with the
 * next commit. Many senders share each commit, so thousands of messages a second cost a few
 * hundred transactions, and a sender killed at any instant leaves in doubt only the messages
 * that were on its SMTP connections.
 *
 * <p>The writes go through a {@link DeliveryWriter}, a session of the store's own kept for the run.
 * Its commits wait for the disk (synchronous commit), so a mark survives a crash of the database
 * server itself, not only of mailer: a row marked 'sending' is never sent again, it becomes
 * 'unknown'. The cost is one fsync per batch, shared by every sender waiting in it (about
 * 0.1-0.15 ms per fsync here by pg_test_fsync).
 */
public final class DeliveryLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLog.class);
    private static final int MAX_BATCH = 5_000;

    private final DeliveryRecords records;
    private final BounceRecorder bounces;
    private final String owner;
    private final long campaignId;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile MailerException failure;
    /** Rows marked 'sending' (or maybe marked: the commit's answer was lost) whose outcome is not written. */
    private final Set<Long> unsettled = ConcurrentHashMap.newKeySet();
    private DeliveryWriter session;

    private record Mark(long deliveryId, CompletableFuture<Boolean> committed) {
    }

    private record Flush(CompletableFuture<Boolean> committed) {
    }

    private static final Object STOP = new Object();

    /** @param owner the sender's lease name: only rows it still holds are marked (the fence) */
    public DeliveryLog(DeliveryRecords records, long campaignId, String owner, BounceRecorder bounces) {
        this.records = records;
        this.owner = owner;
        this.bounces = bounces;
        this.campaignId = campaignId;
        this.writer = new Thread(this::write, "delivery-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Marks the delivery as being sent, durably; returns when committed.
     *
     * @return false when this sender no longer holds the row's lease (it was frozen or cut off past
     *     its lease and another sender may have the row now): the message must not be sent
     */
    public boolean markSending(long deliveryId) throws InterruptedException {
        CompletableFuture<Boolean> committed = new CompletableFuture<>();
        enqueue(new Mark(deliveryId, committed));
        boolean marked = wait(committed);
        if (!marked) {
            LOG.warn("Delivery {} is no longer leased by this sender (paused past its lease?); it is left to"
                    + " whoever holds it now and not sent from here.", deliveryId);
        }
        return marked;
    }

    /**
     * Messages marked 'sending' whose outcome is not written: after a failure of the log, those
     * the next run finds in doubt ('unknown').
     */
    public int unsettled() {
        return unsettled.size();
    }

    /** Queues an outcome; it is written with the next commit. */
    public void record(DeliveryOutcome outcome) {
        enqueue(outcome);
    }

    /** Returns when everything queued so far is committed. */
    public void flush() throws InterruptedException {
        CompletableFuture<Boolean> committed = new CompletableFuture<>();
        enqueue(new Flush(committed));
        wait(committed);
    }

    private void enqueue(Object op) {
        if (failure != null) {
            throw failure;
        }
        queue.add(op);
    }

    private boolean wait(CompletableFuture<Boolean> committed) throws InterruptedException {
        try {
            return committed.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof MailerException m ? m
                    : new MailerException(ErrorKind.INTERNAL, "Recording deliveries failed: " + e.getCause(), e.getCause());
        }
    }

    private void write() {
        List<Object> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                closeSession();
                return;
            }
            queue.drainTo(batch, MAX_BATCH);
            boolean stop = batch.remove(STOP);
            List<DeliveryOutcome> outcomes = new ArrayList<>();
            List<Long> marks = new ArrayList<>();
            List<Mark> waitingMarks = new ArrayList<>();
            List<CompletableFuture<Boolean>> waiting = new ArrayList<>();
            for (Object op : batch) {
                if (op instanceof DeliveryOutcome outcome) {
                    outcomes.add(outcome);
                } else if (op instanceof Mark mark) {
                    marks.add(mark.deliveryId());
                    waitingMarks.add(mark);
                    waiting.add(mark.committed());
                } else if (op instanceof Flush flush) {
                    waiting.add(flush.committed());
                }
            }
            batch.clear();
            long started = System.nanoTime();
            try {
                Set<Long> marked = outcomes.isEmpty() && marks.isEmpty() ? Set.of()
                        : session().write(outcomes, marks);
                outcomes.forEach(o -> unsettled.remove(o.deliveryId()));
                unsettled.addAll(marked);
                waitingMarks.forEach(m -> m.committed().complete(marked.contains(m.deliveryId())));
                waiting.forEach(f -> f.complete(true));
                LOG.debug("wrote {} outcomes and {} marks in {} µs", outcomes.size(), marks.size(),
                        (System.nanoTime() - started) / 1000);
            } catch (RuntimeException | Error e) {
                // an Error too: the writer must not die with senders waiting for its commit
                MailerException failed = e instanceof MailerException m ? m : new MailerException(ErrorKind.INTERNAL,
                        "Recording deliveries failed: " + (e instanceof Error ? e.toString() : e.getMessage()), e);
                unsettled.addAll(marks); // the commit may have happened: these rows may be 'sending' now
                failure = failed;
                waiting.forEach(f -> f.completeExceptionally(failed));
                queue.forEach(op -> {
                    if (op instanceof Mark mark) {
                        mark.committed().completeExceptionally(failed);
                    } else if (op instanceof Flush flush) {
                        flush.committed().completeExceptionally(failed);
                    }
                });
                closeSession();
                return;
            }
            if (stop) {
                closeSession();
                return;
            }
        }
    }

    /** The writer's own session, opened on first use and kept for the run. */
    private DeliveryWriter session() {
        if (session == null) {
            session = records.openWriter(campaignId, owner, bounces);
        }
        return session;
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (RuntimeException ignored) {
                // giving the session back failed; the store replaces it
            }
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        queue.add(STOP);
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
