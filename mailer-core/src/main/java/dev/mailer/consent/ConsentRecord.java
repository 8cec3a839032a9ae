package dev.mailer.consent;

import java.time.OffsetDateTime;

/** One entry of a person's consent history, with everything needed to demonstrate it. */
public record ConsentRecord(long id, String purpose, String status, OffsetDateTime consentAt, String source,
                            String ip, String consentText, OffsetDateTime confirmedAt, String lawfulBasis,
                            boolean parentalConsent, String userAgent, OffsetDateTime recordedAt,
                            String recordedVia) {
}
