package dev.mailer.optin;

import dev.mailer.contacts.ConsentStatement;
import dev.mailer.message.Token;
import dev.mailer.audit.AuditTrail;
import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentRequest;
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
        Optional<Contact> contact = people.contactNamedBy(token);
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
            Optional<Contact> contact = people.lockContactNamedBy(token);
            if (contact.isEmpty() || people.isErased(contact.get().emailNormalized())) {
                return Outcome.NO_LONGER_VALID;
            }
            long contactId = contact.get().id();
            String purpose = token.purpose();
            ConsentRequest request;
            if (token.requestId() == 0) {
                Outcome older = olderLink(contactId, token);
                if (older != null) {
                    return older;
                }
                request = null;
            } else {
                Optional<ConsentRequest> stored = people.request(token.requestId(), contactId)
                        .filter(r -> r.purpose().equals(purpose));
                if (stored.isEmpty() || people.withdrawnSince(contactId, purpose, stored.get().requestedAt())) {
                    // a withdrawal after the link was sent outranks it, used or not
                    return Outcome.NO_LONGER_VALID;
                }
                if (!people.useRequest(stored.get().id())) {
                    return Outcome.ALREADY_CONFIRMED;
                }
                request = stored.get();
            }
            OffsetDateTime now = OffsetDateTime.now();
            String source = request == null || request.source().equals(DoubleOptIn.CLI_SOURCE) ? SOURCE
                    : SOURCE + " (" + request.source() + ")";
            String wording = request == null || request.textVersion() == null ? consentText
                    : request.textVersion() + "; " + consentText;
            ConsentStatement statement = new ConsentStatement(purpose, ConsentStatement.GRANTED, now, source,
                    ip, wording, now, ConsentStatement.BASIS_CONSENT, false);
            people.appendConsent(contactId, statement, cut(userAgent), recordedVia);
            if (request != null) {
                people.addTags(contactId, request.tags());
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("purpose", purpose);
            detail.put("source", source);
            audit.record(recordedVia, "consent.confirm", contact.get().emailNormalized(), detail);
            return Outcome.CONFIRMED;
        });
    }

    /**
     * A link made before requests were stored (its request id is 0) is known only by its day: it
     * was used when a confirmation made on or after that day is in the history, and a withdrawal
     * recorded on or after that day outranks it. Null: it may still confirm.
     */
    private Outcome olderLink(long contactId, Token token) {
        OffsetDateTime issued = LocalDate.ofEpochDay(token.issuedEpochDay()).atStartOfDay(ZoneId.systemDefault())
                .toOffsetDateTime();
        if (people.withdrawnSince(contactId, token.purpose(), issued)) {
            return Outcome.NO_LONGER_VALID;
        }
        return confirmedSince(people.consentHistory(contactId), token) ? Outcome.ALREADY_CONFIRMED : null;
    }

    /** A confirmation through a link, made on or after the day this link was issued, is in the history. */
    private static boolean confirmedSince(List<ConsentRecord> history, Token token) {
        return history.stream()
                .anyMatch(r -> r.purpose().equals(token.purpose()) && ConsentStatement.GRANTED.equals(r.status())
                        && r.source().startsWith(SOURCE) && r.confirmedAt() != null
                        && r.confirmedAt().atZoneSameInstant(ZoneId.systemDefault()).toLocalDate().toEpochDay()
                        >= token.issuedEpochDay());
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
