package dev.mailer.campaign;

import dev.mailer.throttle.Rate;
import dev.mailer.message.MailboxAddress;
import dev.mailer.config.YamlDocument;
import dev.mailer.config.YamlMap;
import dev.mailer.config.YamlValue;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks a campaign file (SPEC §5). Every problem is a usage error naming the file,
 * the line and the key, because the person fixing it is looking at the file in an editor.
 */
public final class CampaignFileParser {

    /** The keys of a campaign file, in the order the SPEC lists them (and errors list them). */
    public static final List<String> KEYS = List.of(
            "name", "purpose", "template", "subject", "from", "reply-to", "audience",
            "require-confirmed", "allow-existing-customers", "max-consent-age", "minimum-age",
            "rate", "per-domain");

    static final List<String> AUDIENCE_KEYS = List.of("tags", "locales");

    public static final int MAX_NAME_LENGTH = 200;

    /** Keeps a typo like P2400M from overflowing date arithmetic later; no consent lasts longer. */
    private static final int MAX_CONSENT_AGE_MONTHS = 100 * 12;
    private static final int MAX_CONSENT_AGE_DAYS = 100 * 366;

    private static final Pattern PURPOSE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final String ADDRESS_PHRASE =
            "be an e-mail address like news@kawiarnia.example or Kawiarnia Nowak <news@kawiarnia.example>";

    /**
     * Reads a campaign file.
     *
     * @param today the date the name's placeholders ({@code {yyyy}}, {@code {yyyy-MM}},
     *     {@code {yyyy-MM-dd}}) expand to
     * @param nameOverride the name given with {@code --name}, or null; it may use the same
     *     placeholders and replaces the file's {@code name}
     * @throws MailerException (usage) for an unreadable file, invalid YAML or any invalid value
     */
    public CampaignSpec parse(Path file, LocalDate today, String nameOverride) {
        try {
            return read(file, today, nameOverride);
        } catch (MailerException e) {
            throw e.asKindOf(ErrorKind.CAMPAIGN_FILE);
        }
    }

    private CampaignSpec read(Path file, LocalDate today, String nameOverride) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(today, "today");
        YamlMap root = YamlDocument.read(file).root().allowOnly(KEYS);

        String name = name(root, today, nameOverride);
        String purpose = purpose(root.required("purpose"));
        String template = template(root.required("template"));
        String subject = root.optional("subject").map(CampaignFileParser::subject).orElse(null);
        MailboxAddress from = mailbox(root.required("from"));
        MailboxAddress replyTo = root.optional("reply-to").map(CampaignFileParser::mailbox).orElse(null);
        Audience audience = root.optional("audience").map(CampaignFileParser::audience).orElse(Audience.EVERYONE);
        boolean requireConfirmed = root.optional("require-confirmed").map(YamlValue::bool)
                .orElse(CampaignSpec.DEFAULT_REQUIRE_CONFIRMED);
        boolean allowExistingCustomers = root.optional("allow-existing-customers").map(YamlValue::bool)
                .orElse(CampaignSpec.DEFAULT_ALLOW_EXISTING_CUSTOMERS);
        Period maxConsentAge = root.optional("max-consent-age").map(CampaignFileParser::period).orElse(null);
        int minimumAge = root.optional("minimum-age").map(v -> v.wholeNumber(0, CampaignSpec.MAX_MINIMUM_AGE))
                .orElse(CampaignSpec.DEFAULT_MINIMUM_AGE);
        Rate rate = root.optional("rate").map(CampaignFileParser::rate).orElse(null);
        Map<String, Rate> perDomain = root.optional("per-domain").map(CampaignFileParser::perDomain).orElse(Map.of());

        return new CampaignSpec(name, purpose, template, subject, from, replyTo, audience, requireConfirmed,
                allowExistingCustomers, maxConsentAge, minimumAge, rate, perDomain, file);
    }

    private static String name(YamlMap root, LocalDate today, String nameOverride) {
        if (nameOverride == null) {
            YamlValue v = root.required("name", " (or give the name with --name)");
            return expandName(v.text(), today, "'name'", v::error);
        }
        // The file's own name is still checked, so a mistake in it does not wait to surface on
        // the first run without --name (typically an unattended cron job).
        root.optional("name").ifPresent(v -> expandName(v.text(), today, "'name'", v::error));
        return expandName(nameOverride, today, "--name", MailerException::usage);
    }

    /**
     * Expands the date placeholders. Unknown ones are refused rather than left in: a name is
     * the key that makes re-runs resume, and {@code {yyyy-mm}} left literal would make every
     * month's cron run resume one never-ending campaign.
     */
    static String expandName(String raw, LocalDate today, String label, Function<String, MailerException> fail) {
        Matcher m = PLACEHOLDER.matcher(raw);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String replacement = switch (m.group(1)) {
                case "yyyy" -> String.format(Locale.ROOT, "%04d", today.getYear());
                case "yyyy-MM" -> String.format(Locale.ROOT, "%04d-%02d", today.getYear(), today.getMonthValue());
                case "yyyy-MM-dd" -> String.format(Locale.ROOT, "%04d-%02d-%02d",
                        today.getYear(), today.getMonthValue(), today.getDayOfMonth());
                default -> throw fail.apply(label + " has an unknown placeholder '{" + m.group(1)
                        + "}'; the placeholders are {yyyy}, {yyyy-MM} and {yyyy-MM-dd}.");
            };
            m.appendReplacement(b, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(b);
        String name = b.toString();
        if (name.indexOf('{') >= 0 || name.indexOf('}') >= 0) {
            throw fail.apply(label + " has a '{' or '}' that is not part of a placeholder such as {yyyy-MM}.");
        }
        if (name.isBlank()) {
            throw fail.apply(label + " must not be empty.");
        }
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            throw fail.apply(label + " must not contain control characters such as line breaks or tabs.");
        }
        if (!name.equals(name.strip())) {
            throw fail.apply(label + " must not start or end with spaces.");
        }
        int length = name.codePointCount(0, name.length());
        if (length > MAX_NAME_LENGTH) {
            throw fail.apply(label + " must be at most " + MAX_NAME_LENGTH
                    + " characters long with its placeholders filled in, not " + length + ".");
        }
        return name;
    }

    private static String purpose(YamlValue v) {
        String purpose = v.text();
        if (purpose.equals("*")) {
            throw v.error("'purpose' cannot be '*': it is reserved for \"all purposes\";"
                    + " name the one purpose this campaign's recipients consented to, such as newsletter.");
        }
        if (!PURPOSE.matcher(purpose).matches()) {
            throw v.invalid("be 1 to 64 lower-case letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit, like newsletter");
        }
        return purpose;
    }

    /** A folder name only, so a campaign file cannot point the renderer outside the templates directory. */
    private static String template(YamlValue v) {
        String t = v.text();
        if (t.isEmpty() || t.length() > 255 || !t.equals(t.strip()) || t.startsWith(".")
                || t.contains("/") || t.contains("\\") || t.contains("..")
                || t.codePoints().anyMatch(Character::isISOControl)) {
            throw v.invalid("be the name of a folder in the templates directory, like newsletter",
                    "a plain name: no '/', '\\' or '..', not starting with '.'");
        }
        return t;
    }

    private static String subject(YamlValue v) {
        // Stripped because a folded block (subject: >) ends in a line break the writer never meant.
        String subject = v.text().strip();
        if (subject.isEmpty()) {
            throw v.error("'subject' is empty; leave the key out to take the subject from the template's subject.ftl.");
        }
        if (subject.codePoints().anyMatch(Character::isISOControl)) {
            throw v.error("'subject' must be a single line without control characters.");
        }
        return subject;
    }

    private static MailboxAddress mailbox(YamlValue v) {
        return MailboxAddress.parse(v.text()).orElseThrow(() -> v.invalid(ADDRESS_PHRASE));
    }

    private static Audience audience(YamlValue v) {
        YamlMap audience = v.map().allowOnly(AUDIENCE_KEYS);
        List<String> tags = audience.optional("tags").map(CampaignFileParser::tags).orElse(List.of());
        List<String> locales = audience.optional("locales").map(CampaignFileParser::locales).orElse(List.of());
        return new Audience(tags, locales);
    }

    private static List<String> tags(YamlValue v) {
        Set<String> tags = new LinkedHashSet<>();
        for (YamlValue entry : v.list()) {
            String tag = entry.text().strip();
            if (tag.isEmpty() || tag.codePoints().anyMatch(Character::isISOControl)) {
                throw entry.invalid("be a tag name");
            }
            if (tag.contains(";")) {
                // Contacts' tags are imported ';'-separated, so a tag with ';' could never match.
                throw entry.invalid("be a single tag", "write several tags as a list, like [customers, vip]");
            }
            tags.add(tag);
        }
        return new ArrayList<>(tags);
    }

    private static List<String> locales(YamlValue v) {
        Set<String> locales = new LinkedHashSet<>();
        for (YamlValue entry : v.list()) {
            String tag = entry.text().strip();
            Locale locale = Locale.forLanguageTag(tag);
            String roundTrip = locale.toLanguageTag();
            // BCP 47 allows 5-8 letter languages in theory but none is registered, and "polish"
            // or "english" is a mistake worth pointing out rather than a filter that matches nobody.
            if (tag.isEmpty() || roundTrip.equals("und") || !roundTrip.equalsIgnoreCase(tag)
                    || locale.getLanguage().length() > 3) {
                String hint = tag.contains("_") ? "write " + tag.replace('_', '-') + ", with '-'" : null;
                throw entry.invalid("be a BCP 47 language tag like pl, en-GB or sr-Latn", hint);
            }
            // Kept as written: templates are picked by it (html_sr_Latn.ftlh) and so are contacts.
            locales.add(tag);
        }
        return new ArrayList<>(locales);
    }

    private static Period period(YamlValue v) {
        String text = v.text().strip();
        Period period;
        try {
            period = Period.parse(text);
        } catch (DateTimeParseException e) {
            throw v.invalid("be an ISO-8601 period like P24M (24 months) or P2Y (2 years)");
        }
        if (period.isZero() || period.isNegative()) {
            throw v.invalid("be a period longer than zero, like P24M");
        }
        if (period.toTotalMonths() > MAX_CONSENT_AGE_MONTHS || period.getDays() > MAX_CONSENT_AGE_DAYS) {
            throw v.invalid("be at most 100 years (P100Y)", "leave the key out if consent never expires");
        }
        return period;
    }

    private static Map<String, Rate> perDomain(YamlValue v) {
        Map<String, Rate> limits = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new LinkedHashMap<>();
        for (YamlValue entry : v.map().values()) {
            String domain = domain(entry.key())
                    .orElseThrow(() -> entry.error(YamlValue.quote(entry.key())
                            + " under 'per-domain' is not a domain name; write domains like gmail.com."));
            Integer first = firstLine.putIfAbsent(domain, entry.line());
            if (first != null) {
                throw entry.error("'per-domain' names " + domain + " twice (first on line " + first + ").");
            }
            limits.put(domain, rate(entry));
        }
        return limits;
    }

    /** Normalized like {@link EmailAddress#domain()}, so limits match recipients' domains directly. */
    private static Optional<String> domain(String raw) {
        String d = raw.strip();
        if (d.isEmpty() || d.contains("@")) {
            return Optional.empty();
        }
        return EmailAddress.parse("postmaster@" + d).map(EmailAddress::domain);
    }

    /** A rate, blaming its key and line when the value is not one. */
    private static Rate rate(YamlValue value) {
        return Rate.tryParse(value.text()).orElseThrow(() -> value.invalid(Rate.problem(value.text())));
    }
}
