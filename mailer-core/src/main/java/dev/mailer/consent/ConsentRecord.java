package dev.mailer.consent;

import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** One entry of a person's consent history, with everything needed to demonstrate it. */
public record ConsentRecord(long id, String purpose, String status, OffsetDateTime consentAt, String source,
                            String ip, String consentText, OffsetDateTime confirmedAt, String lawfulBasis,
                            boolean parentalConsent, String userAgent, OffsetDateTime recordedAt,
                            String recordedVia) {

    /** Ordered by consent time, then id: the order in which the gate reads a history. */
    private static final Comparator<ConsentRecord> LATEST =
            Comparator.comparing(ConsentRecord::consentAt).thenComparing(ConsentRecord::id);

    /** The record that stands for the purpose now: the latest by consent time, then by id, as in the gate. */
    public static Optional<ConsentRecord> latest(List<ConsentRecord> history, String purpose) {
        return history.stream().filter(r -> r.purpose().equals(purpose)).max(LATEST);
    }
}
