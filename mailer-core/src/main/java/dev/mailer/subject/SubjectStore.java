package dev.mailer.subject;

import java.util.List;
import java.util.Map;

/** What the data-subject rights need from the store beyond contacts, consent and suppressions. */
public interface SubjectStore {
    List<Map<String, Object>> deliveriesOf(long contactId);

    List<Map<String, Object>> feedbackOf(long contactId);

    /**
     * Deletes a person's personal data everywhere and keeps only the hash of the address on the
     * suppression list. Must run inside a unit of work.
     */
    void erase(String normalizedEmail, Long contactId, String origin);
}
