package dev.mailer.subject;

import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.Contact;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.audit.AuditTrail;
import dev.mailer.consent.ConsentStore;
import dev.mailer.suppression.Suppressions;
import dev.mailer.transaction.Transactions;
import java.util.List;
import java.util.Map;

/** Data-subject rights (SPEC §4): access (export) and erasure. */
public final class DataSubject {
    private final Transactions transactions;
    private final ConsentStore people;
    private final Suppressions suppressions;
    private final SubjectStore store;
    private final AuditTrail audit;

    public DataSubject(Transactions transactions, ConsentStore people, Suppressions suppressions, SubjectStore store,
                       AuditTrail audit) {
        this.transactions = transactions;
        this.people = people;
        this.suppressions = suppressions;
        this.store = store;
        this.audit = audit;
    }

    /** Everything stored about one person. */
    public record Export(String email, boolean erased, Contact contact, List<ConsentRecord> consents,
                         List<Map<String, Object>> deliveries, List<Map<String, Object>> feedback,
                         List<Map<String, Object>> suppressions) {
    }

    /** What an erasure removed. */
    public record Erasure(boolean contactFound, int consentRecords, int deliveries) {
    }

    public Export export(String email, String actor) {
        EmailAddress address = EmailAddress.require(email);
        return transactions.inTransaction(() -> {
            Contact contact = people.findContact(address.normalized()).orElse(null);
            List<ConsentRecord> consents = contact == null ? List.of() : people.consentHistory(contact.id());
            List<Map<String, Object>> deliveries = contact == null ? List.of() : store.deliveriesOf(contact.id());
            List<Map<String, Object>> feedback = contact == null ? List.of() : store.feedbackOf(contact.id());
            List<Map<String, Object>> blocks = suppressions.of(address.normalized());
            boolean erased = people.isErased(address.normalized());
            audit.record(actor, "subject.export", address.normalized(), Map.of("found", contact != null));
            return new Export(address.address(), erased, contact, consents, deliveries, feedback,
                    erased ? List.of() : blocks);
        });
    }

    public Erasure erase(String email, String actor) {
        EmailAddress address = EmailAddress.require(email);
        return transactions.inTransaction(() -> {
            Contact contact = people.findContact(address.normalized()).orElse(null);
            int consents = contact == null ? 0 : people.consentHistory(contact.id()).size();
            int deliveries = contact == null ? 0 : store.deliveriesOf(contact.id()).size();
            store.erase(address.normalized(), contact == null ? null : contact.id(), actor);
            audit.record(actor, "subject.erase", address.normalized(),
                    Map.of("contactFound", contact != null, "consentRecords", consents, "deliveries", deliveries));
            return new Erasure(contact != null, consents, deliveries);
        });
    }
}
