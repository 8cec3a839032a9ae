package dev.mailer.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a message in the feedback mailbox is (SPEC §7). */
public enum FeedbackType {
    /** A delivery failure or delay report: RFC 3464 or one of the many non-standard forms. */
    BOUNCE,
    /** A spam complaint (RFC 5965 ARF, e.g. {@code Feedback-Type: abuse}). */
    COMPLAINT,
    /** A person asked to be removed through the List-Unsubscribe mailto address. */
    UNSUBSCRIBE,
    /** Anything else: auto-replies, vacation notices, human replies, garbage. Never acted upon. */
    UNKNOWN;

    /** The form used in JSON output: lower case. */
    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
