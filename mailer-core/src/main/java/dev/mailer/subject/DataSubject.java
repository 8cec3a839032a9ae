package dev.mailer.subject;

import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentService;
import dev.mailer.consent.Contact;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.store.AuditLog;
import dev.mailer.store.Database;
import dev.mailer.store.PeopleStore;
import java.util.List;
import java.util.Map;

/** Data-subject rights (SPEC §4): access (export) and erasure. */
public final class DataSubject {
    private final Database database;

    public DataSubject(Database database) {
        this.database = database;
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
        EmailAddress address = ConsentService.address(email);
        return database.inTransaction(connection -> {
            PeopleStore people = new PeopleStore(connection);
            Contact contact = people.findContact(address.normalized()).orElse(null);
            List<ConsentRecord> consents = contact == null ? List.of() : people.consentHistory(contact.id());
            List<Map<String, Object>> deliveries = contact == null ? List.of() : people.deliveriesOf(contact.id());
            List<Map<String, Object>> feedback = contact == null ? List.of() : people.feedbackOf(contact.id());
            List<Map<String, Object>> suppressions = people.suppressionsOf(address.normalized());
            boolean erased = people.isErased(address.normalized());
            AuditLog.record(connection, actor, "subject.export", address.normalized(), Map.of("found", contact != null));
            return new Export(address.address(), erased, contact, consents, deliveries, feedback,
                    erased ? List.of() : suppressions);
        });
    }

    public Erasure erase(String email, String actor) {
        EmailAddress address = ConsentService.address(email);
        return database.inTransaction(connection -> {
            PeopleStore people = new PeopleStore(connection);
            Contact contact = people.findContact(address.normalized()).orElse(null);
            int consents = contact == null ? 0 : people.consentHistory(contact.id()).size();
            int deliveries = contact == null ? 0 : people.deliveriesOf(contact.id()).size();
            people.erase(address.normalized(), contact == null ? null : contact.id(), actor);
            AuditLog.record(connection, actor, "subject.erase", address.normalized(),
                    Map.of("contactFound", contact != null, "consentRecords", consents, "deliveries", deliveries));
            return new Erasure(contact != null, consents, deliveries);
        });
    }
}
