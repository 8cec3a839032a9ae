package dev.mailer.consent;

import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.message.Token;
import java.util.List;
import java.util.Optional;

/** What consent needs from the store: contacts by address and their append-only consent history. */
public interface ConsentStore {
    Optional<Contact> findContact(String normalizedEmail);

    /** The contact's id, creating it with this profile when there is none (an existing one is left as it is). */
    long ensureContact(EmailAddress email, String name, String locale, List<String> tags);

    default long ensureContact(EmailAddress email) {
        return ensureContact(email, null, null, List.of());
    }

    /** Whether the address was erased at the person's request (only its hash is kept). */
    boolean isErased(String normalizedEmail);

    /** Appends one record to the history; returns its id. */
    long appendConsent(long contactId, ConsentStatement consent, String userAgent, String recordedVia);

    /** The whole history, oldest first (by consent time, then id). */
    List<ConsentRecord> consentHistory(long contactId);

    /**
     * Locks the contact until the unit of work ends, so that two confirmations of one person are
     * taken one at a time; empty when it no longer exists (erased).
     */
    Optional<Contact> lockContact(long contactId);

    /** The contact with this id, if it still exists (an erased person's does not). */
    Optional<Contact> contact(long contactId);

    /** Stores a double opt-in request; returns its id (the confirmation link carries it). */
    long addRequest(ConsentRequest.New request);

    /** The request with this id if it belongs to this contact; take the contact's lock first. */
    Optional<ConsentRequest> request(long requestId, long contactId);

    /** Marks a request used; false when it already was. */
    boolean useRequest(long requestId);

    /** How many requests this contact got since then (the per-address cap). */
    int requestsForContactSince(long contactId, java.time.OffsetDateTime since);

    /** How many requests this client address made since then (the per-IP cap). */
    int requestsFromClientSince(String clientIp, java.time.OffsetDateTime since);

    /** Whether this purpose (or everything) was withdrawn in a record stored after {@code since}. */
    boolean withdrawnSince(long contactId, String purpose, java.time.OffsetDateTime since);

    /** Adds tags the contact does not have yet. */
    void addTags(long contactId, List<String> tags);

    /**
     * The contact a verified token names, only if the token was made for them ({@link Token#madeFor}):
     * the same id is somebody else in another database signed with the same secret.
     */
    default Optional<Contact> contactNamedBy(Token token) {
        return contact(token.contactId()).filter(c -> token.madeFor(c.emailNormalized(), c.createdAt()));
    }

    /** As {@link #contactNamedBy}, locked as {@link #lockContact} locks. */
    default Optional<Contact> lockContactNamedBy(Token token) {
        return lockContact(token.contactId()).filter(c -> token.madeFor(c.emailNormalized(), c.createdAt()));
    }
}
