package dev.mailer.campaign;

import dev.mailer.throttle.Rate;
import dev.mailer.message.MailboxAddress;
import dev.mailer.audience.GateRules;
import java.nio.file.Path;
import java.util.Locale;
import java.time.Period;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A campaign file after checking (SPEC §5): every value valid, defaults filled in, the name's
 * date placeholders expanded.
 *
 * @param name the campaign's unique name; running the same name again resumes it
 * @param purpose the consent purpose recipients must hold
 * @param template folder name under the templates directory
 * @param subject subject template, or null to use the template's {@code subject.ftl}
 * @param from the sender
 * @param replyTo the Reply-To address, or null for none
 * @param audience who is considered at all
 * @param requireConfirmed whether consent needs double opt-in confirmation (default true)
 * @param allowExistingCustomers whether lawful basis {@code existing_customer} counts (default false)
 * @param maxConsentAge consent older than this counts as expired; null means it never expires
 * @param minimumAge younger contacts need parental consent (default 16)
 * @param rate global throttle, or null for none beyond the connection pool
 * @param perDomain extra throttles by recipient domain (lower-case ASCII, IDNs in punycode, so
 *     they compare equal to {@code EmailAddress.domain()}), in file order; may be empty
 * @param file the campaign file this came from
 */
public record CampaignSpec(
        String name,
        String purpose,
        String template,
        String subject,
        MailboxAddress from,
        MailboxAddress replyTo,
        Audience audience,
        boolean requireConfirmed,
        boolean allowExistingCustomers,
        Period maxConsentAge,
        int minimumAge,
        Rate rate,
        Map<String, Rate> perDomain,
        Path file) {

    public static final boolean DEFAULT_REQUIRE_CONFIRMED = true;
    public static final boolean DEFAULT_ALLOW_EXISTING_CUSTOMERS = false;
    public static final int DEFAULT_MINIMUM_AGE = 16;
    public static final int MAX_MINIMUM_AGE = 120;

    public CampaignSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(from, "from");
        audience = audience == null ? Audience.EVERYONE : audience;
        if (minimumAge < 0 || minimumAge > MAX_MINIMUM_AGE) {
            throw new IllegalArgumentException("minimumAge must be 0.." + MAX_MINIMUM_AGE + ": " + minimumAge);
        }
        // Map.copyOf would lose the file's order, which is the order limits are reported in.
        perDomain = perDomain == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(perDomain));
    }

    /**
     * A spec with the four required settings; every other one keeps its default (no subject
     * template, no Reply-To, everyone, {@link #DEFAULT_REQUIRE_CONFIRMED}, …) until set.
     */
    public static Builder builder(String name, String purpose, String template, MailboxAddress from) {
        return new Builder(name, purpose, template, from);
    }

    /** Builds a {@link CampaignSpec} one setting at a time, for code and tests that have no campaign file. */
    public static final class Builder {
        private final String name;
        private final String purpose;
        private final String template;
        private final MailboxAddress from;
        private String subject;
        private MailboxAddress replyTo;
        private Audience audience = Audience.EVERYONE;
        private boolean requireConfirmed = DEFAULT_REQUIRE_CONFIRMED;
        private boolean allowExistingCustomers = DEFAULT_ALLOW_EXISTING_CUSTOMERS;
        private Period maxConsentAge;
        private int minimumAge = DEFAULT_MINIMUM_AGE;
        private Rate rate;
        private Map<String, Rate> perDomain = Map.of();
        private Path file;

        private Builder(String name, String purpose, String template, MailboxAddress from) {
            this.name = name;
            this.purpose = purpose;
            this.template = template;
            this.from = from;
        }

        public Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        public Builder replyTo(MailboxAddress replyTo) {
            this.replyTo = replyTo;
            return this;
        }

        public Builder audience(Audience audience) {
            this.audience = audience;
            return this;
        }

        public Builder requireConfirmed(boolean requireConfirmed) {
            this.requireConfirmed = requireConfirmed;
            return this;
        }

        public Builder allowExistingCustomers(boolean allowExistingCustomers) {
            this.allowExistingCustomers = allowExistingCustomers;
            return this;
        }

        public Builder maxConsentAge(Period maxConsentAge) {
            this.maxConsentAge = maxConsentAge;
            return this;
        }

        public Builder minimumAge(int minimumAge) {
            this.minimumAge = minimumAge;
            return this;
        }

        public Builder rate(Rate rate) {
            this.rate = rate;
            return this;
        }

        public Builder perDomain(Map<String, Rate> perDomain) {
            this.perDomain = perDomain;
            return this;
        }

        public Builder file(Path file) {
            this.file = file;
            return this;
        }

        public CampaignSpec build() {
            return new CampaignSpec(name, purpose, template, subject, from, replyTo, audience, requireConfirmed,
                    allowExistingCustomers, maxConsentAge, minimumAge, rate, perDomain, file);
        }
    }

    /** The settings the consent gate applies, for the campaign stored under {@code campaignId} (null: not yet stored). */
    public GateRules gateRules(Long campaignId) {
        return new GateRules(purpose, requireConfirmed, allowExistingCustomers, maxConsentAge, minimumAge,
                audience.tags(), audience.locales().stream().map(l -> l.toLowerCase(Locale.ROOT)).toList(), campaignId);
    }
}
