package dev.mailer.campaign;

import dev.mailer.audience.ExclusionReason;
import dev.mailer.audience.GateReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A dry run's warnings about the audience (issue "catch the typo before the send"): a purpose
 * nobody has granted, a tag or locale no contact has — each with "did you mean" from the values
 * that exist —, an audience of nobody, and a consent age that excludes most people. They do not
 * make a campaign invalid; {@code send --dry-run --strict} treats them as errors.
 */
final class AudienceWarnings {
    static final String PURPOSE_UNHELD = "purpose_unheld";
    static final String TAG_UNKNOWN = "tag_unknown";
    static final String LOCALE_UNKNOWN = "locale_unknown";
    static final String AUDIENCE_EMPTY = "audience_empty";
    static final String CONSENT_AGE = "consent_age_excludes_most";
    /** The codes printed as audience warnings, not as a relay's replies. */
    static final Set<String> CODES = Set.of(PURPOSE_UNHELD, TAG_UNKNOWN, LOCALE_UNKNOWN, AUDIENCE_EMPTY, CONSENT_AGE);

    private AudienceWarnings() {
    }

    static List<SendWarning> of(CampaignSpec spec, GateReport gate, AudienceValues values) {
        List<SendWarning> warnings = new ArrayList<>();
        if (!values.grantedPurposes().contains(spec.purpose())) {
            warnings.add(warning(PURPOSE_UNHELD, "No contact has granted consent for purpose '" + spec.purpose()
                    + "'.", spec.purpose(), values.grantedPurposes()));
        }
        for (String tag : spec.audience().tags()) {
            if (!values.tags().contains(tag)) {
                warnings.add(warning(TAG_UNKNOWN, "No contact has the tag '" + tag + "'.", tag, values.tags()));
            }
        }
        for (String locale : spec.audience().locales()) {
            if (!values.locales().contains(locale)) {
                warnings.add(warning(LOCALE_UNKNOWN, "No contact has the locale '" + locale + "'.", locale,
                        values.locales()));
            }
        }
        if (gate.eligible() == 0) {
            warnings.add(new SendWarning(AUDIENCE_EMPTY, null, 0, "Nobody would be mailed: of " + gate.considered()
                    + " contacts considered, none is eligible.", null));
        }
        long expired = gate.excluded(ExclusionReason.CONSENT_EXPIRED);
        if (spec.maxConsentAge() != null && gate.considered() > 0 && expired * 2 > gate.considered()) {
            warnings.add(new SendWarning(CONSENT_AGE, null, expired, "max-consent-age " + spec.maxConsentAge()
                    + " excludes " + expired + " of " + gate.considered() + " contacts considered (more than half).",
                    "Check max-consent-age in the campaign file, or ask these people to renew their consent."));
        }
        return warnings;
    }

    private static SendWarning warning(String code, String sentence, String given, Set<String> existing) {
        List<String> close = didYouMean(given, existing);
        return new SendWarning(code, null, 0, sentence, close.isEmpty() ? null
                : "Did you mean " + String.join(" or ", close.stream().map(v -> "'" + v + "'").toList()) + "?");
    }

    /** Values equal but for case first, then the nearest by edit distance (at most a third of the length). */
    static List<String> didYouMean(String given, Set<String> existing) {
        String lower = given.toLowerCase(Locale.ROOT);
        List<String> sameButCase = existing.stream().filter(v -> v.toLowerCase(Locale.ROOT).equals(lower)).sorted()
                .toList();
        if (!sameButCase.isEmpty()) {
            return sameButCase;
        }
        int limit = Math.max(1, given.length() / 3);
        return existing.stream()
                .filter(v -> distance(lower, v.toLowerCase(Locale.ROOT)) <= limit)
                .sorted(Comparator.comparingInt((String v) -> distance(lower, v.toLowerCase(Locale.ROOT)))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(3)
                .toList();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
