package dev.mailer.campaign;

import dev.mailer.throttle.Rate;
import dev.mailer.message.MailboxAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDate;
import java.time.Period;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CampaignFileParserTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 12, 5);

    /** SPEC §5's example, verbatim. */
    private static final String SPEC_EXAMPLE = """
            name: newsletter-{yyyy-MM}      # unique; {yyyy-MM} / {yyyy-MM-dd} expand at run time, so a
                                            # monthly cron job gets one campaign a month; same name again resumes it
            purpose: newsletter             # consent purpose recipients must hold
            template: newsletter            # folder under the templates directory (--templates DIR, default ./templates)
            subject: "Grudniowe nowości, ${contact.name!}"   # optional when the template has subject.ftl
            from: "Kawiarnia Nowak <news@kawiarnia.example>"
            reply-to: kontakt@kawiarnia.example
            audience:                       # all optional; AND-ed
              tags: [customers]             # contact has at least one of these tags
              locales: [pl, sr-Latn]
            require-confirmed: true         # double opt-in required (default true)
            allow-existing-customers: false # lawful_basis existing_customer counts (default false)
            max-consent-age: P24M           # ISO-8601 period; older consent is treated as expired
            minimum-age: 16                 # younger contacts need parental_consent (default 16)
            rate: 3000/min                  # global throttle (also N/s, N/h)
            per-domain:                     # extra per-recipient-domain throttles
              gmail.com: 600/min
            """;

    private static final String MINIMAL = """
            name: welcome
            purpose: newsletter
            template: welcome
            from: news@kawiarnia.example
            """;

    @TempDir
    Path dir;

    private final CampaignFileParser parser = new CampaignFileParser();

    private Path write(String yaml) {
        return write("newsletter.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private CampaignSpec parse(String yaml) {
        return parser.parse(write(yaml), TODAY, null);
    }

    /** The error message, with the temporary directory taken off the file name. */
    private String error(String yaml) {
        return error(write(yaml), null);
    }

    private String error(Path file, String nameOverride) {
        try {
            parser.parse(file, TODAY, nameOverride);
        } catch (MailerException e) {
            assertThat(e.kind()).isEqualTo(ErrorKind.CAMPAIGN_FILE);
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage().replace(dir + File.separator, "");
        }
        throw new AssertionError("expected a MailerException for " + file);
    }

    @Test
    void parsesTheSpecExampleExactly() {
        Path file = write(SPEC_EXAMPLE);
        CampaignSpec spec = parser.parse(file, TODAY, null);

        assertThat(spec.name()).isEqualTo("newsletter-2026-12");
        assertThat(spec.purpose()).isEqualTo("newsletter");
        assertThat(spec.template()).isEqualTo("newsletter");
        assertThat(spec.subject()).isEqualTo("Grudniowe nowości, ${contact.name!}");
        assertThat(spec.from()).isEqualTo(new MailboxAddress("Kawiarnia Nowak",
                EmailAddress.parse("news@kawiarnia.example").orElseThrow()));
        assertThat(spec.replyTo()).isEqualTo(new MailboxAddress(null,
                EmailAddress.parse("kontakt@kawiarnia.example").orElseThrow()));
        assertThat(spec.audience()).isEqualTo(new Audience(List.of("customers"), List.of("pl", "sr-Latn")));
        assertThat(spec.requireConfirmed()).isTrue();
        assertThat(spec.allowExistingCustomers()).isFalse();
        assertThat(spec.maxConsentAge()).isEqualTo(Period.ofMonths(24));
        assertThat(spec.minimumAge()).isEqualTo(16);
        assertThat(spec.rate()).isEqualTo(new Rate(3000, Duration.ofMinutes(1)));
        assertThat(spec.perDomain()).containsExactly(Map.entry("gmail.com", new Rate(600, Duration.ofMinutes(1))));
        assertThat(spec.file()).isEqualTo(file);
    }

    @Test
    void fillsInDefaults() {
        CampaignSpec spec = parse(MINIMAL);

        assertThat(spec.name()).isEqualTo("welcome");
        assertThat(spec.subject()).isNull();
        assertThat(spec.replyTo()).isNull();
        assertThat(spec.audience()).isEqualTo(Audience.EVERYONE);
        assertThat(spec.audience().isEveryone()).isTrue();
        assertThat(spec.requireConfirmed()).isTrue();
        assertThat(spec.allowExistingCustomers()).isFalse();
        assertThat(spec.maxConsentAge()).isNull();
        assertThat(spec.minimumAge()).isEqualTo(16);
        assertThat(spec.rate()).isNull();
        assertThat(spec.perDomain()).isEmpty();
    }

    @Test
    void keysWithoutAValueCountAsNotSet() {
        CampaignSpec spec = parse(MINIMAL + """
                reply-to:
                audience: ~
                max-consent-age:
                rate: null
                per-domain: {}
                """);
        assertThat(spec.replyTo()).isNull();
        assertThat(spec.audience().isEveryone()).isTrue();
        assertThat(spec.maxConsentAge()).isNull();
        assertThat(spec.rate()).isNull();
        assertThat(spec.perDomain()).isEmpty();
    }

    @Test
    void readsNonDefaultValues() {
        CampaignSpec spec = parse(MINIMAL + """
                require-confirmed: false
                allow-existing-customers: true
                minimum-age: 0
                max-consent-age: P2Y
                audience:
                  tags: customers
                  locales: en-GB
                """);
        assertThat(spec.requireConfirmed()).isFalse();
        assertThat(spec.allowExistingCustomers()).isTrue();
        assertThat(spec.minimumAge()).isZero();
        assertThat(spec.maxConsentAge()).isEqualTo(Period.ofYears(2));
        assertThat(spec.audience()).isEqualTo(new Audience(List.of("customers"), List.of("en-GB")));
    }

    @Nested
    class Name {

        @Test
        void expandsAllPlaceholders() {
            CampaignSpec spec = parse(MINIMAL.replace("name: welcome", "name: \"{yyyy}/{yyyy-MM}/{yyyy-MM-dd} {yyyy}\""));
            assertThat(spec.name()).isEqualTo("2026/2026-12/2026-12-05 2026");
        }

        @Test
        void padsSmallMonthsAndDays() {
            CampaignSpec spec = parser.parse(write(MINIMAL.replace("name: welcome", "name: n-{yyyy-MM-dd}")),
                    LocalDate.of(2027, 1, 9), null);
            assertThat(spec.name()).isEqualTo("n-2027-01-09");
        }

        @Test
        void refusesAnUnknownPlaceholderNamingIt() {
            assertThat(error(MINIMAL.replace("name: welcome", "name: news-{yyyy-mm}")))
                    .isEqualTo("newsletter.yaml line 1: 'name' has an unknown placeholder '{yyyy-mm}';"
                            + " the placeholders are {yyyy}, {yyyy-MM} and {yyyy-MM-dd}.");
        }

        @Test
        void refusesAStrayBrace() {
            assertThat(error(MINIMAL.replace("name: welcome", "name: news-{yyyy")))
                    .isEqualTo("newsletter.yaml line 1: 'name' has a '{' or '}' that is not part of a placeholder"
                            + " such as {yyyy-MM}.");
        }

        @Test
        void refusesTooLongEmptyOrControlCharacters() {
            assertThat(error(MINIMAL.replace("name: welcome", "name: " + "a".repeat(201))))
                    .isEqualTo("newsletter.yaml line 1: 'name' must be at most 200 characters long with its"
                            + " placeholders filled in, not 201.");
            assertThat(parse(MINIMAL.replace("name: welcome", "name: " + "ł".repeat(200))).name()).hasSize(200);
            assertThat(error(MINIMAL.replace("name: welcome", "name: \"\"")))
                    .isEqualTo("newsletter.yaml line 1: 'name' must not be empty.");
            assertThat(error(MINIMAL.replace("name: welcome", "name: \"a\\tb\"")))
                    .isEqualTo("newsletter.yaml line 1: 'name' must not contain control characters such as line"
                            + " breaks or tabs.");
        }

        @Test
        void isRequiredUnlessGivenOnTheCommandLine() {
            String withoutName = MINIMAL.replace("name: welcome\n", "");
            assertThat(error(withoutName))
                    .isEqualTo("newsletter.yaml: required key 'name' is missing (or give the name with --name).");
            assertThat(parser.parse(write(withoutName), TODAY, "from-cli").name()).isEqualTo("from-cli");
        }

        @Test
        void overrideReplacesTheFilesNameAndExpandsPlaceholders() {
            assertThat(parser.parse(write(MINIMAL), TODAY, "promo-{yyyy-MM-dd}").name()).isEqualTo("promo-2026-12-05");
        }

        @Test
        void badOverrideIsBlamedOnTheFlag() {
            assertThat(error(write(MINIMAL), "promo-{month}"))
                    .isEqualTo("--name has an unknown placeholder '{month}'; the placeholders are {yyyy},"
                            + " {yyyy-MM} and {yyyy-MM-dd}.");
            assertThat(error(write(MINIMAL), "")).isEqualTo("--name must not be empty.");
        }

        @Test
        void theFilesNameIsStillCheckedWhenOverridden() {
            assertThat(error(write(MINIMAL.replace("name: welcome", "name: x-{bad}")), "ok"))
                    .startsWith("newsletter.yaml line 1: 'name' has an unknown placeholder '{bad}'");
        }

        @Test
        void hasNoValue() {
            assertThat(error(MINIMAL.replace("name: welcome", "name:")))
                    .isEqualTo("newsletter.yaml line 1: 'name' has no value (or give the name with --name).");
        }
    }

    @Test
    void unknownKeyNamesTheKeyTheLineAndTheKnownKeys() {
        String yaml = """
                name: n
                purpose: newsletter
                template: newsletter
                from: news@kawiarnia.example
                # a comment

                audence:
                  tags: [customers]
                """;
        assertThat(error(yaml)).isEqualTo("newsletter.yaml line 7: unknown key 'audence'; known keys are name,"
                + " purpose, template, subject, from, reply-to, audience, require-confirmed,"
                + " allow-existing-customers, max-consent-age, minimum-age, rate, per-domain.");
    }

    @Test
    void unknownNestedKeyIsNamedWithItsPath() {
        assertThat(error(MINIMAL + "audience:\n  tags: [a]\n  tagz: [b]\n"))
                .isEqualTo("newsletter.yaml line 7: unknown key 'audience.tagz'; known keys under 'audience' are"
                        + " tags, locales.");
    }

    @Test
    void requiredKeyMissing() {
        assertThat(error(MINIMAL.replace("purpose: newsletter\n", "")))
                .isEqualTo("newsletter.yaml: required key 'purpose' is missing.");
        assertThat(error(MINIMAL.replace("template: welcome\n", "")))
                .isEqualTo("newsletter.yaml: required key 'template' is missing.");
        assertThat(error(MINIMAL.replace("from: news@kawiarnia.example\n", "")))
                .isEqualTo("newsletter.yaml: required key 'from' is missing.");
    }

    @Test
    void requiredKeyWithoutValue() {
        assertThat(error(MINIMAL.replace("purpose: newsletter", "purpose: ~")))
                .isEqualTo("newsletter.yaml line 2: 'purpose' has no value.");
    }

    @Test
    void minimumAgeMustBeAWholeNumberInRange() {
        String head = "name: n\npurpose: p\ntemplate: t\nfrom: a@b.example\n" + "# filler\n".repeat(7);
        assertThat(error(head + "minimum-age: sixteen\n"))
                .isEqualTo("newsletter.yaml line 12: 'minimum-age' must be a whole number from 0 to 120, not 'sixteen'.");
        assertThat(error(head + "minimum-age: 121\n"))
                .isEqualTo("newsletter.yaml line 12: 'minimum-age' must be a whole number from 0 to 120, not '121'.");
        assertThat(error(head + "minimum-age: 16.5\n"))
                .isEqualTo("newsletter.yaml line 12: 'minimum-age' must be a whole number from 0 to 120, not '16.5'.");
        assertThat(error(head + "minimum-age: [16]\n"))
                .isEqualTo("newsletter.yaml line 12: 'minimum-age' must be a whole number from 0 to 120, not a list.");
        assertThat(parse(head + "minimum-age: 120\n").minimumAge()).isEqualTo(120);
    }

    @Test
    void rateMustLookLikeARate() {
        String yaml = """
                name: n
                purpose: p
                rate: fast
                template: t
                from: a@b.example
                """;
        assertThat(error(yaml))
                .isEqualTo("newsletter.yaml line 3: 'rate' must look like 3000/min, 50/s or 10000/h, not 'fast'.");
        assertThat(error(yaml.replace("fast", "0/min")))
                .isEqualTo("newsletter.yaml line 3: 'rate' must have a whole number from 1 to 10000000 before the '/',"
                        + " not '0/min'.");
        assertThat(parse(yaml.replace("fast", "50/sec")).rate()).hasToString("50/s");
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() {
        String yaml = """
                name: n
                purpose: p
                template: t
                from: "a@b.example
                """;
        assertThat(error(yaml)).startsWith("newsletter.yaml line ").contains(": not valid YAML (").endsWith(").");

        String badIndent = """
                name: n
                purpose: p
                  template: t
                from: a@b.example
                """;
        assertThat(error(badIndent)).isEqualTo("newsletter.yaml line 3: not valid YAML (mapping values are not"
                + " allowed here).");
    }

    @Test
    void tabsForIndentationAreASyntaxError() {
        assertThat(error(MINIMAL + "audience:\n\ttags: [a]\n"))
                .matches("newsletter\\.yaml line 6: not valid YAML \\(.+\\)\\.");
    }

    @Test
    void duplicateKeysAreRefusedWithBothLines() {
        assertThat(error(MINIMAL + "rate: 10/s\npurpose: other\n"))
                .isEqualTo("newsletter.yaml line 6: key 'purpose' is given twice (first on line 2).");
        assertThat(error(MINIMAL + "per-domain:\n  gmail.com: 1/s\n  gmail.com: 2/s\n"))
                .isEqualTo("newsletter.yaml line 7: key 'gmail.com' is given twice (first on line 6).");
    }

    @Test
    void domainsThatDifferOnlyInCaseAreDuplicates() {
        assertThat(error(MINIMAL + "per-domain:\n  gmail.com: 1/s\n  GMail.COM: 2/s\n"))
                .isEqualTo("newsletter.yaml line 7: 'per-domain' names gmail.com twice (first on line 6).");
    }

    @Test
    void billionLaughsIsRefusedQuickly() {
        String bomb = """
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
                i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
                """;
        Path file = write(bomb);
        String message = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> error(file, null));
        assertThat(message).isEqualTo("newsletter.yaml: too many YAML aliases (*name) to lists or mappings;"
                + " at most 10 are allowed, so write the values out instead.");
    }

    @Test
    void aFewAliasesAreFine() {
        CampaignSpec spec = parse(MINIMAL + """
                audience:
                  tags: &t [customers, vip]
                  locales: [pl]
                rate: &r 100/s
                per-domain:
                  gmail.com: *r
                """);
        assertThat(spec.audience().tags()).containsExactly("customers", "vip");
        assertThat(spec.perDomain().get("gmail.com")).isEqualTo(spec.rate());
    }

    @Test
    void polishDiacriticsInSubjectAndDisplayName() {
        CampaignSpec spec = parse(MINIMAL.replace("from: news@kawiarnia.example",
                "from: Kawiarnia Żółć Łódź <news@kawiarnia.example>\nsubject: Zażółć gęślą jaźń, ${contact.name!}"));
        assertThat(spec.subject()).isEqualTo("Zażółć gęślą jaźń, ${contact.name!}");
        assertThat(spec.from().displayName()).isEqualTo("Kawiarnia Żółć Łódź");
        assertThat(spec.from().address().address()).isEqualTo("news@kawiarnia.example");
        assertThat(spec.from()).hasToString("Kawiarnia Żółć Łódź <news@kawiarnia.example>");
    }

    @Test
    void quotedDisplayNames() {
        CampaignSpec spec = parse(MINIMAL.replace("from: news@kawiarnia.example",
                "from: '\"Nowak, Jan\" <jan@kawiarnia.example>'\nreply-to: '\"Biuro \\\"Kawa\\\"\" <biuro@kawiarnia.example>'"));
        assertThat(spec.from().displayName()).isEqualTo("Nowak, Jan");
        assertThat(spec.from()).hasToString("\"Nowak, Jan\" <jan@kawiarnia.example>");
        assertThat(spec.replyTo().displayName()).isEqualTo("Biuro \"Kawa\"");
        assertThat(MailboxAddress.parse(spec.replyTo().toString())).contains(spec.replyTo());
    }

    @ParameterizedTest
    @ValueSource(strings = {"news", "news@", "Kawiarnia <news@kawiarnia.example", "a@b.example, c@d.example",
            "<>", "\"unclosed <a@b.example>", "Name <a@b.example> trailing", "a@b.example>"})
    void fromMustBeAnAddress(String from) {
        assertThat(error(MINIMAL.replace("from: news@kawiarnia.example", "from: '" + from + "'")))
                .isEqualTo("newsletter.yaml line 4: 'from' must be an e-mail address like news@kawiarnia.example or"
                        + " Kawiarnia Nowak <news@kawiarnia.example>, not '" + from + "'.");
    }

    @Test
    void replyToMustBeAnAddress() {
        assertThat(error(MINIMAL + "reply-to: kontakt\n"))
                .startsWith("newsletter.yaml line 5: 'reply-to' must be an e-mail address like");
    }

    @Test
    void purposeStarIsReservedForAllPurposes() {
        assertThat(error(MINIMAL.replace("purpose: newsletter", "purpose: '*'")))
                .isEqualTo("newsletter.yaml line 2: 'purpose' cannot be '*': it is reserved for \"all purposes\";"
                        + " name the one purpose this campaign's recipients consented to, such as newsletter.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"News", "news letter", "-news", "_x", "ä", "a*"})
    void purposeMustBeAPurposeName(String purpose) {
        assertThat(error(MINIMAL.replace("purpose: newsletter", "purpose: '" + purpose + "'")))
                .isEqualTo("newsletter.yaml line 2: 'purpose' must be 1 to 64 lower-case letters, digits, '.', '_'"
                        + " or '-', starting with a letter or digit, like newsletter, not '" + purpose + "'.");
    }

    @Test
    void purposeMayBeDigitsAndDotted() {
        assertThat(parse(MINIMAL.replace("purpose: newsletter", "purpose: 2026")).purpose()).isEqualTo("2026");
        assertThat(parse(MINIMAL.replace("purpose: newsletter", "purpose: offers.b2b_pl-x")).purpose())
                .isEqualTo("offers.b2b_pl-x");
        assertThat(error(MINIMAL.replace("purpose: newsletter", "purpose: " + "a".repeat(65))))
                .startsWith("newsletter.yaml line 2: 'purpose' must be 1 to 64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../secret", "a/b", "a\\\\b", ".hidden", "..", "x..y", "/etc"})
    void templateMustBeAPlainFolderName(String template) {
        assertThat(error(MINIMAL.replace("template: welcome", "template: \"" + template + "\"")))
                .startsWith("newsletter.yaml line 3: 'template' must be the name of a folder in the templates"
                        + " directory, like newsletter, not '")
                .endsWith("' (a plain name: no '/', '\\' or '..', not starting with '.').");
    }

    @Test
    void subjectMustBeOneNonEmptyLine() {
        assertThat(error(MINIMAL + "subject: \"\"\n"))
                .isEqualTo("newsletter.yaml line 5: 'subject' is empty; leave the key out to take the subject from"
                        + " the template's subject.ftl.");
        assertThat(error(MINIMAL + "subject: |\n  one\n  two\n"))
                .isEqualTo("newsletter.yaml line 5: 'subject' must be a single line without control characters.");
        assertThat(parse(MINIMAL + "subject: >\n  folded\n  into one\n").subject()).isEqualTo("folded into one");
    }

    @Test
    void booleansMustBeRealBooleans() {
        assertThat(error(MINIMAL + "require-confirmed: yes\n"))
                .isEqualTo("newsletter.yaml line 5: 'require-confirmed' must be true or false, not 'yes' (write true"
                        + " or false: YAML tools read yes, no, on and off differently).");
        assertThat(error(MINIMAL + "allow-existing-customers: off\n"))
                .startsWith("newsletter.yaml line 5: 'allow-existing-customers' must be true or false, not 'off'");
        assertThat(error(MINIMAL + "require-confirmed: \"true\"\n"))
                .isEqualTo("newsletter.yaml line 5: 'require-confirmed' must be true or false, not 'true'"
                        + " (remove the quotes).");
        assertThat(error(MINIMAL + "require-confirmed: 1\n"))
                .isEqualTo("newsletter.yaml line 5: 'require-confirmed' must be true or false, not '1'.");
        assertThat(parse(MINIMAL + "require-confirmed: False\n").requireConfirmed()).isFalse();
    }

    @Test
    void maxConsentAgeMustBeAPositivePeriod() {
        assertThat(error(MINIMAL + "max-consent-age: 24 months\n"))
                .isEqualTo("newsletter.yaml line 5: 'max-consent-age' must be an ISO-8601 period like P24M (24 months)"
                        + " or P2Y (2 years), not '24 months'.");
        assertThat(error(MINIMAL + "max-consent-age: P0D\n"))
                .isEqualTo("newsletter.yaml line 5: 'max-consent-age' must be a period longer than zero, like P24M,"
                        + " not 'P0D'.");
        assertThat(error(MINIMAL + "max-consent-age: P-1Y\n"))
                .startsWith("newsletter.yaml line 5: 'max-consent-age' must be a period longer than zero");
        assertThat(error(MINIMAL + "max-consent-age: P999999Y\n"))
                .startsWith("newsletter.yaml line 5: 'max-consent-age' must be at most 100 years (P100Y)");
        assertThat(parse(MINIMAL + "max-consent-age: P1Y6M\n").maxConsentAge()).isEqualTo(Period.of(1, 6, 0));
    }

    @Test
    void audienceLocalesAreBcp47KeptAsWritten() {
        CampaignSpec spec = parse(MINIMAL + "audience:\n  locales: [pl, sr-Latn, zh-Hant-TW, sr-latn]\n");
        assertThat(spec.audience().locales()).containsExactly("pl", "sr-Latn", "zh-Hant-TW", "sr-latn");

        assertThat(error(MINIMAL + "audience:\n  locales:\n    - pl\n    - en_US\n"))
                .isEqualTo("newsletter.yaml line 8: each entry of 'audience.locales' must be a BCP 47 language tag like"
                        + " pl, en-GB or sr-Latn, not 'en_US' (write en-US, with '-').");
        assertThat(error(MINIMAL + "audience:\n  locales: polish-language\n"))
                .isEqualTo("newsletter.yaml line 6: 'audience.locales' must be a BCP 47 language tag like pl, en-GB or"
                        + " sr-Latn, not 'polish-language'.");
    }

    @Test
    void audienceTags() {
        CampaignSpec spec = parse(MINIMAL + "audience:\n  tags: [customers, vip, customers]\n");
        assertThat(spec.audience().tags()).containsExactly("customers", "vip");

        assertThat(error(MINIMAL + "audience:\n  tags: [customers, '']\n"))
                .isEqualTo("newsletter.yaml line 6: each entry of 'audience.tags' must be a tag name, not ''.");
        assertThat(error(MINIMAL + "audience:\n  tags:\n    - a\n    -\n"))
                .isEqualTo("newsletter.yaml line 8: 'audience.tags' has an empty entry.");
        assertThat(error(MINIMAL + "audience:\n  tags: a;b\n"))
                .isEqualTo("newsletter.yaml line 6: 'audience.tags' must be a single tag, not 'a;b' (write several"
                        + " tags as a list, like [customers, vip]).");
        assertThat(error(MINIMAL + "audience:\n  tags: {a: b}\n"))
                .isEqualTo("newsletter.yaml line 6: 'audience.tags' must be text or a list of texts, not a mapping.");
        assertThat(error(MINIMAL + "audience:\n  tags: [[a]]\n"))
                .isEqualTo("newsletter.yaml line 6: each entry of 'audience.tags' must be text, not a list.");
    }

    @Test
    void audienceMustBeAMapping() {
        assertThat(error(MINIMAL + "audience: customers\n"))
                .isEqualTo("newsletter.yaml line 5: 'audience' must be a mapping of keys to values (indented key: value"
                        + " lines), not 'customers'.");
    }

    @Test
    void perDomainKeepsOrderAndNormalizesDomains() {
        CampaignSpec spec = parse(MINIMAL + """
                per-domain:
                  yahoo.com: 10/s
                  GMail.COM: 600/min
                  bücher.de: 100/h
                """);
        assertThat(spec.perDomain()).containsExactly(
                Map.entry("yahoo.com", Rate.parse("10/s")),
                Map.entry("gmail.com", Rate.parse("600/min")),
                Map.entry("xn--bcher-kva.de", Rate.parse("100/h")));
    }

    @Test
    void perDomainErrorsNameTheDomain() {
        assertThat(error(MINIMAL + "per-domain:\n  gmail.com: quick\n"))
                .isEqualTo("newsletter.yaml line 6: 'per-domain.gmail.com' must look like 3000/min, 50/s or 10000/h,"
                        + " not 'quick'.");
        assertThat(error(MINIMAL + "per-domain:\n  gmail: 1/s\n"))
                .isEqualTo("newsletter.yaml line 6: 'gmail' under 'per-domain' is not a domain name; write domains"
                        + " like gmail.com.");
        assertThat(error(MINIMAL + "per-domain:\n  a@gmail.com: 1/s\n"))
                .startsWith("newsletter.yaml line 6: 'a@gmail.com' under 'per-domain' is not a domain name");
        assertThat(error(MINIMAL + "per-domain: 600/min\n"))
                .startsWith("newsletter.yaml line 5: 'per-domain' must be a mapping of keys to values");
        assertThat(error(MINIMAL + "per-domain:\n  gmail.com:\n"))
                .isEqualTo("newsletter.yaml line 6: 'per-domain.gmail.com' has no value.");
    }

    @Nested
    class FileProblems {

        @Test
        void missingFile() {
            assertThat(error(dir.resolve("nope.yaml"), null)).isEqualTo("nope.yaml: no such file.");
        }

        @Test
        void directory() throws IOException {
            Path sub = Files.createDirectory(dir.resolve("campaigns"));
            assertThat(error(sub, null)).isEqualTo("campaigns is a directory, not a file.");
        }

        @Test
        void unreadable() throws IOException {
            Path file = write(MINIMAL);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
            } catch (UnsupportedOperationException e) {
                assumeThat(false).as("POSIX permissions").isTrue();
            }
            assumeThat(Files.isReadable(file)).as("not running as root").isFalse();
            assertThat(error(file, null)).isEqualTo("newsletter.yaml cannot be read: permission denied.");
        }

        @Test
        void otherReadFailuresGiveTheSystemsReason() {
            Path file = write(MINIMAL);
            assertThat(error(file.resolve("inside.yaml"), null))
                    .isEqualTo("newsletter.yaml" + File.separator + "inside.yaml cannot be read (Not a directory).");
        }

        @Test
        void emptyFiles() {
            assertThat(error("")).isEqualTo("newsletter.yaml is empty.");
            assertThat(error("\n  \n")).isEqualTo("newsletter.yaml is empty.");
            assertThat(error("# only a comment\n"))
                    .isEqualTo("newsletter.yaml is empty: it has no keys, only blank lines or comments.");
        }

        @Test
        void notAMapping() {
            assertThat(error("- name: n\n- purpose: p\n"))
                    .isEqualTo("newsletter.yaml line 1: the file must consist of key: value lines, not a list.");
            assertThat(error("\njust some text\n"))
                    .isEqualTo("newsletter.yaml line 2: the file must consist of key: value lines, not a single value.");
        }

        @Test
        void notUtf8() {
            byte[] cp1250 = (MINIMAL + "subject: Zażółć\n").getBytes(Charset.forName("windows-1250"));
            assertThat(error(write("newsletter.yaml", cp1250), null))
                    .isEqualTo("newsletter.yaml line 5: the file is not UTF-8 text (byte 0xBF); save it as UTF-8.");
        }

        @Test
        void byteOrderMarkIsAccepted() {
            byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
            byte[] body = MINIMAL.getBytes(StandardCharsets.UTF_8);
            byte[] content = new byte[bom.length + body.length];
            System.arraycopy(bom, 0, content, 0, bom.length);
            System.arraycopy(body, 0, content, bom.length, body.length);
            assertThat(parser.parse(write("newsletter.yaml", content), TODAY, null).name()).isEqualTo("welcome");
        }

        @Test
        void tooBig() {
            String big = MINIMAL + "# " + "x".repeat(1024 * 1024) + "\n";
            assertThat(error(big)).isEqualTo("newsletter.yaml is larger than 1 MB, far more than a settings file"
                    + " needs; check that it is the right file.");
        }

        @Test
        void severalDocuments() {
            assertThat(error(MINIMAL + "---\n" + MINIMAL)).startsWith("newsletter.yaml line 5: not valid YAML (");
        }

        @Test
        void controlCharacters() {
            assertThat(error(MINIMAL + "subject: a\u0007b\n")).isEqualTo("newsletter.yaml line 5: not valid YAML (it"
                    + " contains the control character U+0007, which YAML does not allow).");
        }
    }

    @Nested
    class NoObjectConstruction {

        @Test
        void javaClassTagsAreRefused() {
            assertThat(error(MINIMAL + "subject: !!javax.script.ScriptEngineManager [x]\n"))
                    .startsWith("newsletter.yaml line 5: not valid YAML (Global tag is not allowed:");
        }

        @Test
        void localAndNonStandardTagsAreRefused() {
            assertThat(error(MINIMAL + "subject: !greeting hello\n"))
                    .isEqualTo("newsletter.yaml line 5: the YAML tag '!greeting' on 'subject' is not allowed; write a"
                            + " plain value.");
            assertThat(error(MINIMAL + "subject: !!binary aGVsbG8=\n"))
                    .isEqualTo("newsletter.yaml line 5: the YAML tag '!!binary' on 'subject' is not allowed; write a"
                            + " plain value.");
        }

        @Test
        void standardTagsAreFine() {
            assertThat(parse(MINIMAL + "subject: !!str 2026\n").subject()).isEqualTo("2026");
        }

        @Test
        void mergeKeysAreRefused() {
            assertThat(error("base: &b {purpose: p}\n<<: *b\n")).isEqualTo("newsletter.yaml line 2: merge keys (<<)"
                    + " are not supported; write the keys out.");
        }

        @Test
        void keysMustBeText() {
            assertThat(error(MINIMAL + "? [a, b]\n: c\n"))
                    .isEqualTo("newsletter.yaml line 5: a key must be plain text, not a list.");
        }
    }
}
