package dev.mailer.optin;

import dev.mailer.contacts.ConsentStatement;
import dev.mailer.message.Token;
import dev.mailer.audit.AuditTrail;
import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentStore;
import dev.mailer.consent.Contact;
import dev.mailer.transaction.Transactions;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The second half of double opt-in: a person follows the link of {@link DoubleOptIn}'s message
 * and confirms. The consent is recorded with the proof GDPR art. 7(1) asks for: when (consent_at,
 * confirmed_at), from where (IP address), with what (user agent) and after which wording.
 */
public final class ConsentConfirmation {
    /** Confirmation links work this many days after the message was sent. */
    public static final int VALID_DAYS = 30;
    /** The consent record's source. */
    public static final String SOURCE = "double opt-in confirmation";

    private static final int MAX_USER_AGENT = 512;

    private final Transactions transactions;
    private final ConsentStore people;
    private final AuditTrail audit;
    private final String recordedVia;

    /** What following a confirmation link did. */
    public enum Outcome {
        /** the consent was recorded now */
        CONFIRMED,
        /** this link (or a later one) was followed before: nothing was added */
        ALREADY_CONFIRMED,
        /** expired, or the person no longer exists (erased): nothing was recorded */
        NO_LONGER_VALID
    }

    /**
     * A confirmation link as it stands, before anything is changed.
     *
     * @param contactLocale the contact's locale, for the page's language; empty when unknown
     */
    public record LinkState(boolean usable, Optional<String> contactLocale) {
    }

    /** @param recordedVia kept with the record and as the audit log's actor, e.g. {@code mailer serve} */
    public ConsentConfirmation(Transactions transactions, ConsentStore people, AuditTrail audit, String recordedVia) {
        this.transactions = transactions;
        this.people = people;
        this.audit = audit;
        this.recordedVia = recordedVia;
    }

    /** Whether a signed confirmation token is past its {@value #VALID_DAYS} days. */
    public static boolean expired(Token token, LocalDate today) {
        return today.toEpochDay() - token.issuedEpochDay() > VALID_DAYS;
    }

    /** Looks, changes nothing: what a GET of the link may do. */
    public LinkState inspect(Token token) {
        requireConfirm(token);
        Optional<Contact> contact = people.contact(token.contactId());
        Optional<String> locale = contact.map(Contact::locale);
        boolean usable = !expired(token, LocalDate.now()) && contact.isPresent()
                && !people.isErased(contact.get().emailNormalized());
        return new LinkState(usable, locale);
    }

    /**
     * Records the confirmed consent for the token's purpose, once.
     *
     * @param ip          the client's address, as proof
     * @param userAgent   the client's User-Agent header, as proof; cut to 512 characters
     * @param consentText which wording the person confirmed, e.g. {@code mailer confirmation page v1 (pl)}
     */
    public Outcome confirm(Token token, String ip, String userAgent, String consentText) {
        requireConfirm(token);
        if (expired(token, LocalDate.now())) {
            return Outcome.NO_LONGER_VALID;
        }
        return transactions.inTransaction(() -> {
            Optional<Contact> contact = people.lockContact(token.contactId());
            if (contact.isEmpty() || people.isErased(contact.get().emailNormalized())) {
                return Outcome.NO_LONGER_VALID;
            }
            long contactId = contact.get().id();
            if (confirmedSince(people.consentHistory(contactId), token)) {
                return Outcome.ALREADY_CONFIRMED;
            }
            OffsetDateTime now = OffsetDateTime.now();
            ConsentStatement statement = new ConsentStatement(token.purpose(), ConsentStatement.GRANTED, now, SOURCE,
                    ip, consentText, now, ConsentStatement.BASIS_CONSENT, false);
            people.appendConsent(contactId, statement, cut(userAgent), recordedVia);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("purpose", token.purpose());
            detail.put("source", SOURCE);
            audit.record(recordedVia, "consent.confirm", contact.get().emailNormalized(), detail);
            return Outcome.CONFIRMED;
        });
    }

    /**
     * A double click, a browser that resends the form, a second tab: the latest record for the
     * purpose is already a confirmation made on or after the day this link was issued.
     */
    private static boolean confirmedSince(List<ConsentRecord> history, Token token) {
        return ConsentRecord.latest(history, token.purpose())
                .filter(r -> ConsentStatement.GRANTED.equals(r.status()) && SOURCE.equals(r.source())
                        && r.confirmedAt() != null
                        && r.confirmedAt().atZoneSameInstant(ZoneId.systemDefault()).toLocalDate().toEpochDay()
                        >= token.issuedEpochDay())
                .isPresent();
    }

    private static void requireConfirm(Token token) {
        Objects.requireNonNull(token, "token");
        if (token.kind() != Token.Kind.CONFIRM || token.purpose() == null) {
            throw new IllegalArgumentException("not a confirmation token with a purpose");
        }
    }

    private static String cut(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return null;
        }
        String clean = userAgent.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() > MAX_USER_AGENT ? clean.substring(0, MAX_USER_AGENT) : clean;
    }
}
