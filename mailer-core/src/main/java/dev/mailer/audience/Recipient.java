package dev.mailer.audience;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * A contact the consent gate let through, with what its message needs: the profile and the
 * consent record that allows the mail (for the footer's "why you receive this").
 */
public record Recipient(long contactId, String email, String emailNormalized, String name, String locale,
                        List<String> tags, Map<String, String> attributes, String consentSource,
                        OffsetDateTime consentAt, OffsetDateTime confirmedAt) {

    /** The address to send to: as the person wrote it, with the domain in ASCII. */
    public String address() {
        int at = email.lastIndexOf('@');
        return email.substring(0, at) + emailNormalized.substring(emailNormalized.lastIndexOf('@'));
    }

    /** The domain, lower case and in ASCII: what providers' limits and refusals are counted by. */
    public String domain() {
        return emailNormalized.substring(emailNormalized.lastIndexOf('@') + 1);
    }
}
