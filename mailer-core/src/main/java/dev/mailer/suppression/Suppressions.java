package dev.mailer.suppression;

import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.MailerException;
import dev.mailer.store.AuditLog;
import dev.mailer.store.Database;
import dev.mailer.store.PeopleStore;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Operator blocks and the other suppressions ({@code suppress add|remove|list}). Keyed by the
 * normalized address, not by contact, so a block holds even before the person is imported.
 */
public final class Suppressions {
    /** Reasons an operator may add or remove; "erased" is only ever set by an erasure. */
    public static final Set<String> OPERATOR_REASONS = Set.of("manual", "bounced", "complaint");

    private final Database database;

    public Suppressions(Database database) {
        this.database = database;
    }

    /** @return false when the address was already suppressed for that reason */
    public boolean add(String email, String reason, String detail, String actor) {
        EmailAddress address = ConsentService.address(email);
        checkReason(reason);
        return database.inTransaction(connection -> {
            PeopleStore people = new PeopleStore(connection);
            boolean added = people.addSuppression(address.normalized(), reason, detail, actor);
            if (added) {
                AuditLog.record(connection, actor, "suppress.add", address.normalized(), Map.of("reason", reason));
            }
            return added;
        });
    }

    /**
     * Removes one suppression. Never revives an erased address or a withdrawn consent: those are
     * not suppressions this can remove.
     *
     * @return false when there was no such suppression
     */
    public boolean remove(String email, String reason, String actor) {
        EmailAddress address = ConsentService.address(email);
        checkReason(reason);
        return database.inTransaction(connection -> {
            PeopleStore people = new PeopleStore(connection);
            boolean removed = people.removeSuppression(address.normalized(), reason);
            if (removed) {
                AuditLog.record(connection, actor, "suppress.remove", address.normalized(), Map.of("reason", reason));
            }
            return removed;
        });
    }

    /** Every suppression; erased people appear by hash only. */
    public List<Map<String, Object>> list() {
        return database.withConnection(connection -> new PeopleStore(connection).suppressions());
    }

    private static void checkReason(String reason) {
        if (!OPERATOR_REASONS.contains(reason)) {
            throw MailerException.usage("The suppression reason must be manual, bounced or complaint, not '"
                    + reason + "'.");
        }
    }

}
