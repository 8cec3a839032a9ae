package dev.mailer.contacts;

import java.time.OffsetDateTime;

/**
 * A consent given or withdrawn, with its proof, as read from a CSV row or given on the command line.
 *
 * @param consentAt   when the person gave or withdrew it; null means "now" (the import time)
 * @param lawfulBasis {@code consent} or {@code existing_customer}
 */
public record ConsentStatement(String purpose, String status, OffsetDateTime consentAt, String source, String ip,
                               String consentText, OffsetDateTime confirmedAt, String lawfulBasis,
                               boolean parentalConsent) {
    public static final String GRANTED = "granted";
    public static final String WITHDRAWN = "withdrawn";
    public static final String ALL_PURPOSES = "*";
    public static final String BASIS_CONSENT = "consent";
    public static final String BASIS_EXISTING_CUSTOMER = "existing_customer";
}
