package dev.mailer.delivery;

import dev.mailer.audience.ExclusionReason;
import dev.mailer.transport.SendResult;
import java.time.Instant;
import java.util.Objects;

/**
 * What became of one delivery attempt, as written to its row. Built by the factory for each
 * ending: {@link #sent}, {@link #deferred}, {@link #failed}, {@link #gaveUp}, {@link #unrenderable},
 * {@link #skipped}, {@link #leftAudience}, {@link #held}.
 */
public final class DeliveryOutcome {
    /** The skip reason of a row whose contact is no longer in the campaign's audience at all. */
    public static final String NOT_IN_AUDIENCE = "not_in_audience";

    private final long deliveryId;
    private final long contactId;
    private final DeliveryState status;
    private final int code;
    private final String enhancedStatus;
    private final String reply;
    private final String queueId;
    private final String messageId;
    private final Instant nextAttemptAt;
    private final String skipReason;
    private final Bounce bounce;

    /** A permanent failure; hard when the address itself is undeliverable (then it is suppressed). */
    public record Bounce(boolean hard, String status, String diagnostic) {
    }

    private DeliveryOutcome(Claim claim, DeliveryState status, int code, String enhancedStatus, String reply,
                            String queueId, String messageId, Instant nextAttemptAt, String skipReason, Bounce bounce) {
        this.deliveryId = claim.deliveryId();
        this.contactId = claim.contactId();
        this.status = Objects.requireNonNull(status, "status");
        this.code = code;
        this.enhancedStatus = enhancedStatus;
        this.reply = reply;
        this.queueId = queueId;
        this.messageId = messageId;
        this.nextAttemptAt = nextAttemptAt;
        this.skipReason = skipReason;
        this.bounce = bounce;
    }

    /** The relay accepted the message. */
    public static DeliveryOutcome sent(Claim claim, SendResult result, String messageId) {
        return new DeliveryOutcome(claim, DeliveryState.SENT, result.code(), result.enhancedStatus(), result.reply(),
                result.queueId(), messageId, null, null, null);
    }

    /** A temporary failure: tried again at {@code nextAttemptAt}. */
    public static DeliveryOutcome deferred(Claim claim, SendResult result, String messageId, Instant nextAttemptAt) {
        return new DeliveryOutcome(claim, DeliveryState.DEFERRED, result.code(), result.enhancedStatus(),
                result.reply(), null, messageId, Objects.requireNonNull(nextAttemptAt, "nextAttemptAt"), null, null);
    }

    /** A permanent failure (5xx), recorded as a bounce. */
    public static DeliveryOutcome failed(Claim claim, SendResult result, String messageId, Bounce bounce) {
        return new DeliveryOutcome(claim, DeliveryState.FAILED, result.code(), result.enhancedStatus(), result.reply(),
                null, messageId, null, null, bounce);
    }

    /**
     * The relay or the receiving provider refused the sender, not the recipient (SPEC §6a): no
     * bounce, nobody suppressed; the next run sends the row. {@code result} is the refusal, or the
     * one that made the run hold the row's whole domain without trying it.
     */
    public static DeliveryOutcome held(Claim claim, SendResult result, String messageId) {
        return new DeliveryOutcome(claim, DeliveryState.HELD, result.code(), result.enhancedStatus(), result.reply(),
                null, messageId, null, null, null);
    }

    /** Temporary failures until the last attempt allowed, or until the row was too old: failed, no bounce. */
    public static DeliveryOutcome gaveUp(Claim claim, SendResult result, String messageId, int attempts) {
        return new DeliveryOutcome(claim, DeliveryState.FAILED, result.code(), result.enhancedStatus(),
                "gave up after " + attempts + " attempts: " + result.reply(), null, messageId, null, null, null);
    }

    /** The recipient's message could not be rendered: failed before any SMTP. */
    public static DeliveryOutcome unrenderable(Claim claim, String problem) {
        return new DeliveryOutcome(claim, DeliveryState.FAILED, 0, null, "template: " + problem, null, null, null,
                null, null);
    }

    /** The gate no longer lets the contact through (unsubscribed, bounced … since the row was made). */
    public static DeliveryOutcome skipped(Claim claim, ExclusionReason reason) {
        return new DeliveryOutcome(claim, DeliveryState.SKIPPED, 0, null, null, null, null, null,
                Objects.requireNonNull(reason, "reason").code(), null);
    }

    /** The contact is no longer in the campaign's audience (filter changed, contact erased). */
    public static DeliveryOutcome leftAudience(Claim claim) {
        return new DeliveryOutcome(claim, DeliveryState.SKIPPED, 0, null, null, null, null, null, NOT_IN_AUDIENCE,
                null);
    }

    public long deliveryId() {
        return deliveryId;
    }

    public long contactId() {
        return contactId;
    }

    public DeliveryState status() {
        return status;
    }

    /** The SMTP reply code, 0 when there was none. */
    public int code() {
        return code;
    }

    public String enhancedStatus() {
        return enhancedStatus;
    }

    public String reply() {
        return reply;
    }

    public String queueId() {
        return queueId;
    }

    public String messageId() {
        return messageId;
    }

    /** When a deferred delivery is tried again; null otherwise. */
    public Instant nextAttemptAt() {
        return nextAttemptAt;
    }

    /** The reason code of a skipped row; null otherwise. */
    public String skipReason() {
        return skipReason;
    }

    /** A 5xx reply recorded as a bounce; null when none. */
    public Bounce bounce() {
        return bounce;
    }

    @Override
    public String toString() {
        return "DeliveryOutcome[" + deliveryId + " " + status.code() + " " + code + " " + reply + "]";
    }
}
