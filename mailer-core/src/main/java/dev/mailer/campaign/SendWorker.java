package dev.mailer.campaign;

import dev.mailer.audience.Recipient;
import dev.mailer.delivery.Claim;
import dev.mailer.delivery.DeliveryLog;
import dev.mailer.delivery.DeliveryOutcome;
import dev.mailer.delivery.DeliveryState;
import dev.mailer.delivery.RetryPolicy;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.message.OutgoingMessage;
import dev.mailer.reply.Fault;
import dev.mailer.reply.ReplyVerdict;
import dev.mailer.template.TemplateProblem;
import dev.mailer.transport.SendResult;
import dev.mailer.transport.Sender;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;

/**
 * One sending thread: takes claimed recipients from the queue, builds each message, waits for the
 * throttle and for a pooled SMTP connection and hands the message to SMTP, which has the row marked
 * 'sending' (durably) before any byte of the message goes out; the outcome goes to the delivery log.
 */
final class SendWorker implements Runnable {
    /** A claimed row whose contact the gate still lets through. */
    record Work(Claim claim, Recipient recipient) {
    }

    /** Put once per worker at the end: the worker returns when it takes it. */
    static final Work DONE = new Work(null, null);

    private final BlockingQueue<Work> queue;
    private final long campaignId;
    private final CampaignMessages messages;
    private final Sender sender;
    private final RetryPolicy retry;
    private final Duration noRelayLimit;
    private final DeliveryLog log;
    private final RunState state;

    SendWorker(BlockingQueue<Work> queue, long campaignId, CampaignMessages messages, Sender sender,
               RetryPolicy retry, Duration noRelayLimit, DeliveryLog log, RunState state) {
        this.queue = queue;
        this.campaignId = campaignId;
        this.messages = messages;
        this.sender = sender;
        this.retry = retry;
        this.noRelayLimit = noRelayLimit;
        this.log = log;
        this.state = state;
    }

    @Override
    public void run() {
        try {
            while (true) {
                Work item = queue.take();
                if (item == DONE) {
                    return;
                }
                if (state.stopping()) {
                    state.droppedOne(); // left claimed; the leases are released when the run ends
                    continue;
                }
                // a failure stops the run, but this worker keeps taking work (and dropping it) until
                // DONE: the producer must never block on a full queue nobody empties
                try {
                    deliver(item);
                } catch (MailerException e) {
                    state.droppedOne();
                    state.failed(e);
                } catch (RuntimeException e) {
                    state.droppedOne();
                    state.fail(e);
                } catch (Error e) {
                    // a thread that died here would leave its message in flight and the run waiting for it
                    state.droppedOne();
                    state.fail(new MailerException(ErrorKind.INTERNAL, "A sending thread failed: " + e, e));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Work item) throws InterruptedException {
        Claim claim = item.claim();
        Recipient recipient = item.recipient();
        String domain = recipient.domain();
        if (state.domainHeld(domain)) {
            // the domain refused the sender again and again: the rest of it waits for the cause to be fixed
            state.senderFaults().heldUntried(domain);
            record(DeliveryOutcome.held(claim, state.senderFaults().of(domain).orElseThrow().first(), null));
            return;
        }
        Optional<Instant> slowed = sender.slowedUntil(domain);
        Optional<RateLimits.Observed> asked = state.rateLimits().of(domain);
        if (slowed.isPresent() && asked.isPresent()) {
            // its provider asked to slow down: the row waits in the database, not in a sending thread
            state.rateLimits().deferredUntried(domain);
            record(DeliveryOutcome.deferred(claim, asked.get().first(), null, slowed.get()));
            return;
        }
        OutgoingMessage message;
        try {
            message = messages.build(recipient, campaignId);
        } catch (TemplateProblem problem) {
            if (problem.fatal()) {
                // nobody can get this template: the row stays to be sent once it is fixed
                state.droppedOne();
                state.templateFailed(problem.code(), problem.getMessage());
            } else {
                record(DeliveryOutcome.unrenderable(claim, problem.getMessage()));
            }
            return;
        }
        Optional<Sender.Delivery> sent = sender.send(message.envelopeFrom(), message.recipient(), message.bytes(),
                () -> log.markSending(claim.deliveryId()), () -> {
                    state.stopIfNoRelay(sender.pool(), noRelayLimit);
                    return state.stopping();
                });
        if (sent.isEmpty()) {
            state.droppedOne(); // stopping, or the row is no longer this sender's (fenced): nothing to record
            return;
        }
        SendResult result = sent.get().result();
        Instant slowedUntil = sent.get().slowedUntil();
        DeliveryOutcome outcome = retry.outcome(claim, result, message.messageId(), Instant.now(), slowedUntil);
        record(outcome);
        ReplyVerdict verdict = result.sent() ? null : RetryPolicy.verdict(result);
        if (verdict != null && verdict.fault() == Fault.RATE_LIMIT) {
            state.slowedDown(state.rateLimits().record(domain, result, verdict, slowedUntil), slowedUntil);
        }
        if (outcome.status() == DeliveryState.HELD) {
            switch (state.senderFaults().record(domain, result, verdict)) {
                case HOLD_DOMAIN -> state.holdDomain(domain);
                case STOP -> state.stop(ErrorKind.SENDER_REFUSED, state.senderFaults().sentence());
                case GO_ON -> { }
            }
        }
    }

    private void record(DeliveryOutcome outcome) {
        log.record(outcome); // first: when the log has failed this throws, and the message counts as dropped
        state.count(outcome);
    }
}
