package dev.mailer.delivery;

/**
 * Records what a permanent SMTP failure means for the person (a bounce, and the suppression it may
 * bring). Called by the delivery log inside the unit of work that writes the failed row, so the
 * row and its bounce are stored together.
 */
@FunctionalInterface
public interface BounceRecorder {
    void record(long campaignId, DeliveryOutcome failed);
}
