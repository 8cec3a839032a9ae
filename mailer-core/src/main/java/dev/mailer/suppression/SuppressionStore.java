package dev.mailer.suppression;

import java.util.List;
import java.util.Map;

/**
 * The suppression list in the store. Keyed by the normalized address (and its hash), not by
 * contact, so a block holds before the person is imported and after they are erased.
 */
public interface SuppressionStore {
    /**
     * Adds a suppression unless the address was erased (erased addresses are never stored in clear
     * again) or already has one for this reason.
     *
     * @return whether a suppression was added
     */
    boolean add(String normalizedEmail, SuppressionReason reason, String detail, String origin);

    /** @return whether one was removed; an erasure is never removed */
    boolean remove(String normalizedEmail, SuppressionReason reason);

    /** Soft bounces recorded for the contact within the last {@code windowDays} days, whatever their source. */
    int softBounces(long contactId, int windowDays);

    /** Every suppression; erased people appear by hash only. */
    List<Map<String, Object>> list();

    /** The suppressions of one address. */
    List<Map<String, Object>> of(String normalizedEmail);
}
