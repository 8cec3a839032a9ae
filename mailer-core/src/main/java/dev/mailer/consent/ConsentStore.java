package dev.mailer.consent;

import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
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
}
