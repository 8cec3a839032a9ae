package dev.mailer.audience;

import java.time.Period;
import java.util.List;

/**
 * The campaign settings the consent gate applies, as plain values for the SQL.
 *
 * @param campaignId the stored campaign, or null when it has not been sent yet (nothing is already_sent)
 */
public record GateRules(String purpose, boolean requireConfirmed, boolean allowExistingCustomers,
                        Period maxConsentAge, int minimumAge, List<String> tags, List<String> locales,
                        Long campaignId) {

    /**
     * The gate for a purpose alone: any consent counts, confirmed or not, of any age; what remains
     * are the rules about the person and the address (what a double opt-in request must respect).
     */
    public static GateRules purposeOnly(String purpose) {
        return new GateRules(purpose, false, true, null, 0, List.of(), List.of(), null);
    }
}
