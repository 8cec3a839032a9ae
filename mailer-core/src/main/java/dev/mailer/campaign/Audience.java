package dev.mailer.campaign;

import java.util.List;

/**
 * Who a campaign is for, before consent is looked at. Filters are AND-ed; an empty list means
 * "no filter" rather than "nobody", so a campaign without {@code audience} reaches every contact
 * the consent gate lets through.
 *
 * @param tags a contact matches when it has at least one of these tags
 * @param locales a contact matches when its locale is one of these BCP 47 tags (as written)
 */
public record Audience(List<String> tags, List<String> locales) {

    public static final Audience EVERYONE = new Audience(List.of(), List.of());

    public Audience {
        tags = tags == null ? List.of() : List.copyOf(tags);
        locales = locales == null ? List.of() : List.copyOf(locales);
    }

    /** True when neither tags nor locales narrow the audience. */
    public boolean isEveryone() {
        return tags.isEmpty() && locales.isEmpty();
    }
}
