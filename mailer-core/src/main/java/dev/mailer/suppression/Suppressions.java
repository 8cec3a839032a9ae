package dev.mailer.suppression;

import dev.mailer.audit.AuditTrail;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.MailerException;
import dev.mailer.transaction.Transactions;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one way onto and off the suppression list: operator blocks ({@code suppress add|remove|list}),
 * hard bounces, complaints and the soft-bounce threshold. Every change writes its audit row in the
 * same unit of work. Keyed by the normalized address, not by contact, so a block holds even before
 * the person is imported.
 */
public final class Suppressions {
    /** Reasons an operator may add or remove; "erased" is only ever set by an erasure. */
    public static final Set<SuppressionReason> OPERATOR_REASONS =
            Set.of(SuppressionReason.MANUAL, SuppressionReason.BOUNCED, SuppressionReason.COMPLAINT);

    private final Transactions transactions;
    private final SuppressionStore store;
    private final AuditTrail audit;

    public Suppressions(Transactions transactions, SuppressionStore store, AuditTrail audit) {
        this.transactions = transactions;
        this.store = store;
        this.audit = audit;
    }

    /** An operator's block. @return false when the address was already suppressed for that reason */
    public boolean add(String email, String reason, String detail, String actor) {
        EmailAddress address = EmailAddress.require(email);
        return suppress(address.normalized(), operatorReason(reason), detail, actor);
    }

    /**
     * Suppresses an address, with its audit row, inside the caller's unit of work if there is one.
     * Erased addresses are never stored again.
     *
     * @return false when it was already suppressed for that reason (or erased)
     */
    public boolean suppress(String normalizedEmail, SuppressionReason reason, String detail, String actor) {
        return transactions.inTransaction(() -> {
            boolean added = store.add(normalizedEmail, reason, detail, actor);
            if (added) {
                audit.record(actor, "suppress.add", normalizedEmail, Map.of("reason", reason.code()));
            }
            return added;
        });
    }

    /**
     * Counts a soft bounce already recorded for the contact: suppresses the address once the
     * policy's number of them fall within its window.
     *
     * @return true when this call added the suppression
     */
    public boolean afterSoftBounce(long contactId, String normalizedEmail, SoftBouncePolicy policy, String actor) {
        return transactions.inTransaction(() -> store.softBounces(contactId, policy.windowDays()) >= policy.limit()
                && suppress(normalizedEmail, SuppressionReason.BOUNCED,
                policy.limit() + " soft bounces within " + policy.windowDays() + " days", actor));
    }

    /**
     * Removes one suppression. Never revives an erased address or a withdrawn consent: those are
     * not suppressions this can remove.
     *
     * @return false when there was no such suppression
     */
    public boolean remove(String email, String reason, String actor) {
        EmailAddress address = EmailAddress.require(email);
        SuppressionReason typed = operatorReason(reason);
        return transactions.inTransaction(() -> {
            boolean removed = store.remove(address.normalized(), typed);
            if (removed) {
                audit.record(actor, "suppress.remove", address.normalized(), Map.of("reason", typed.code()));
            }
            return removed;
        });
    }

    /** Every suppression; erased people appear by hash only. */
    public List<Map<String, Object>> list() {
        return store.list();
    }

    /** The suppressions of one address, oldest first. */
    public List<Map<String, Object>> of(String normalizedEmail) {
        return store.of(normalizedEmail);
    }

    private static SuppressionReason operatorReason(String reason) {
        for (SuppressionReason candidate : OPERATOR_REASONS) {
            if (candidate.code().equals(reason)) {
                return candidate;
            }
        }
        throw MailerException.usage("The suppression reason must be manual, bounced or complaint, not '"
                + reason + "'.");
    }
}
