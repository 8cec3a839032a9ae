package dev.mailer.campaign;

import java.util.Set;

/**
 * What the contacts hold, for a dry run's "did you mean": the purposes someone has granted, the
 * tags and locales someone has (each at most {@link #MAX_VALUES}).
 */
public record AudienceValues(Set<String> grantedPurposes, Set<String> tags, Set<String> locales) {
    public static final int MAX_VALUES = 10_000;

    public AudienceValues {
        grantedPurposes = Set.copyOf(grantedPurposes);
        tags = Set.copyOf(tags);
        locales = Set.copyOf(locales);
    }
}
