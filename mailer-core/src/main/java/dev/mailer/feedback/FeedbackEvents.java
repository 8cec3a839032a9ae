package dev.mailer.feedback;

import dev.mailer.reply.Fault;

import java.util.Optional;

/** What the feedback stage needs from the store: feedback events, each once, and the campaigns they name. */
public interface FeedbackEvents {
    /** The campaign a token names. */
    record Campaign(long id, String name, String purpose) {
    }

    /** One event to record; ids may be null when the feedback could not be tied to them. */
    /** @param fault whose fault a bounce is; null for complaints and unsubscribes */
    record Event(String sourceKey, FeedbackType type, Long contactId, Long campaignId, Boolean hard, String status,
                 String diagnostic, Fault fault) {
    }

    Optional<Campaign> campaign(long campaignId);

    /** Whether a message of ours to this contact was accepted by a relay (sent, or in doubt after a crash). */
    boolean wasMailed(long contactId);

    /** @return false when an event with this source key was recorded before (then nothing changed) */
    boolean insert(Event event);
}
