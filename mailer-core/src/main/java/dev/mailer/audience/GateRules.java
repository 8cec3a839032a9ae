package dev.mailer.audience;

import dev.mailer.campaign.CampaignSpec;
import java.time.Period;
import java.util.List;
import java.util.Locale;

/**
 * The campaign settings the consent gate applies, as plain values for the SQL.
 *
 * @param campaignId the stored campaign, or null when it has not been sent yet (nothing is already_sent)
 */
public record GateRules(String purpose, boolean requireConfirmed, boolean allowExistingCustomers,
                        Period maxConsentAge, int minimumAge, List<String> tags, List<String> locales,
                        Long campaignId) {

    public static GateRules of(CampaignSpec spec, Long campaignId) {
        return new GateRules(spec.purpose(), spec.requireConfirmed(), spec.allowExistingCustomers(),
                spec.maxConsentAge(), spec.minimumAge(), spec.audience().tags(),
                spec.audience().locales().stream().map(l -> l.toLowerCase(Locale.ROOT)).toList(), campaignId);
    }
}
