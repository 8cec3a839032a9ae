package dev.mailer.consent;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * One double opt-in request (SPEC §9): what a confirmation link stands for. It is no consent; the
 * person's confirmation makes one, once, with this request's source and wording version.
 *
 * @param source      where it was asked, kept with the consent, e.g. {@code sign-up form (https://shop.example/)}
 * @param textVersion the purpose's wording version when it was asked, or null
 * @param tags        given to the contact when they confirm (a form's allowed tags)
 * @param usedAt      when the link was used, or null
 */
public record ConsentRequest(long id, long contactId, String purpose, OffsetDateTime requestedAt, String source,
                             String textVersion, List<String> tags, OffsetDateTime usedAt) {

    public ConsentRequest {
        tags = List.copyOf(tags);
    }

    public boolean used() {
        return usedAt != null;
    }

    /** What a new request is, before it is stored. */
    public record New(long contactId, String purpose, String source, String textVersion, String clientIp,
                      List<String> tags) {
        public New {
            tags = List.copyOf(tags);
        }
    }
}
