package dev.mailer.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.contacts.EmailAddress;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the sample file back as an importer would and runs a small, independent version of the
 * SPEC §6 gate over it, so the summary the demo prints is checked against the data, not against
 * the generator's own bookkeeping.
 */
class SampleShopTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 3, 15);
    private static final OffsetDateTime NOW = TODAY.atTime(12, 0).atOffset(ZoneOffset.UTC);

    @TempDir
    static Path dir;
    private static Path csv;
    private static SampleShop.Summary summary;
    private static List<CSVRecord> records;
    /** Valid rows by normalized address, in file order. */
    private static Map<String, List<CSVRecord>> contacts;
    private static List<Long> badLines;

    @BeforeAll
    static void writeAndRead() throws IOException {
        csv = dir.resolve("kawiarnia.csv");
        summary = SampleShop.writeContacts(csv, TODAY);
        records = parse(csv);
        contacts = new LinkedHashMap<>();
        badLines = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            CSVRecord r = records.get(i);
            Optional<String> email = EmailAddress.normalize(r.get("email"));
            if (email.isEmpty() || !isValid(r)) {
                badLines.add(i + 2L);
            } else {
                contacts.computeIfAbsent(email.get(), k -> new ArrayList<>()).add(r);
            }
        }
    }

    @Test
    void fileHasHeaderAndAboutAThousandContacts() throws IOException {
        assertThat(records).hasSize(summary.rows());
        try (CSVParser parser = parser(csv)) {
            assertThat(parser.getHeaderNames()).containsExactlyElementsOf(SampleShop.COLUMNS);
        }
        assertThat(contacts).hasSize(summary.contacts());
        assertThat(summary.contacts()).isBetween(950, 1100);
        assertThat(summary.rows()).isGreaterThan(summary.contacts() + summary.rejected());
        assertThat(Files.readString(csv, StandardCharsets.UTF_8)).contains("\r\n").doesNotStartWith("\uFEFF");
    }

    @Test
    void gateOutcomesAreTheOnesInTheSummary() {
        Map<String, Integer> counted = classifyAll(false);
        assertThat(counted).isEqualTo(summary.situations());
        assertThat(summary.situations().keySet()).containsAll(SampleShop.REASON_CODES).contains("eligible");
        for (String reason : List.of("eligible", "no_consent", "consent_withdrawn", "unconfirmed",
                "consent_expired", "minor_without_parental_consent")) {
            assertThat(counted.get(reason)).as(reason).isPositive();
        }
        assertThat(counted.get("eligible")).isGreaterThan(summary.contacts() / 2);
        assertThat(summary.situations().values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(summary.contacts());
    }

    @Test
    void badRowsAreRejectedAtTheirLines() throws IOException {
        assertThat(summary.rejected()).isEqualTo(3);
        assertThat(badLines).containsExactlyElementsOf(
                summary.rejectedLines().stream().map(Integer::longValue).toList());
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<String> bad = summary.rejectedLines().stream().map(n -> lines.get(n - 1)).toList();
        assertThat(bad).anyMatch(l -> l.startsWith("marek.zielinski.poczta.example,"))
                .anyMatch(l -> l.contains(",2023-13-45,"))
                .anyMatch(l -> l.contains(",newsletter,maybe,"));
        // Spread through the file, so the demo's reject list shows real line numbers.
        assertThat(summary.rejectedLines()).allMatch(n -> n > 2 && n < lines.size());
    }

    @Test
    void everyNoConsentVariantIsPresent() {
        long bought = contacts.values().stream()
                .filter(rows -> tags(rows).contains("bought-list"))
                .filter(rows -> rows.stream().allMatch(r -> r.get("consent_purpose").isEmpty()
                        && r.get("consent_status").isEmpty() && r.get("consent_at").isEmpty()))
                .count();
        assertThat(bought).isEqualTo(summary.details().get("bought_list").longValue()).isPositive();

        long otherPurposeOnly = contacts.values().stream()
                .filter(rows -> purposes(rows).stream().anyMatch(p -> !p.isEmpty()))
                .filter(rows -> !purposes(rows).contains("newsletter"))
                .count();
        assertThat(otherPurposeOnly).isEqualTo(summary.details().get("other_purpose_only").longValue()).isPositive();

        int existing = summary.details().get("existing_customer");
        assertThat(existing).isPositive();
        assertThat(classifyAll(true).get("eligible")).isEqualTo(summary.situations().get("eligible") + existing);
    }

    @Test
    void historiesMinorsAndSeveralPurposesArePresent() {
        long histories = contacts.values().stream()
                .filter(rows -> rows.stream().anyMatch(r -> status(r).equals("granted")
                        && r.get("consent_purpose").equals("newsletter")))
                .filter(rows -> rows.stream().anyMatch(r -> status(r).equals("withdrawn")))
                .count();
        assertThat(histories).isEqualTo(summary.details().get("withdrawal_history").longValue())
                .isEqualTo(summary.situations().get("consent_withdrawn").longValue());

        long minorsWithParents = contacts.entrySet().stream()
                .filter(e -> classify(e.getValue(), false).equals("eligible"))
                .filter(e -> isMinor(e.getValue()))
                .filter(e -> e.getValue().stream().anyMatch(r -> r.get("parental_consent").equals("true")))
                .count();
        assertThat(minorsWithParents).isEqualTo(summary.details().get("minor_with_parental_consent").longValue())
                .isPositive();

        long multiPurpose = contacts.values().stream()
                .filter(rows -> classify(rows, false).equals("eligible"))
                .filter(rows -> purposes(rows).size() > 1)
                .count();
        assertThat(multiPurpose).isEqualTo(summary.details().get("multi_purpose").longValue()).isPositive();
    }

    @Test
    void demoGetsEligibleAddressesForEverySuppression() {
        List<List<String>> lists = List.of(summary.unsubscribeAll(), summary.bounced(), summary.complaint(),
                summary.manualBlock());
        Set<String> all = new HashSet<>();
        for (List<String> list : lists) {
            assertThat(list).hasSizeGreaterThanOrEqualTo(3);
            for (String email : list) {
                assertThat(email).isEqualTo(email.toLowerCase(Locale.ROOT));
                assertThat(contacts).containsKey(email);
                assertThat(classify(contacts.get(email), false)).isEqualTo("eligible");
                assertThat(all.add(email)).as("%s picked twice", email).isTrue();
            }
        }
        assertThat(all).doesNotContainAnyElementsOf(summary.featured());

        Map<String, Integer> after = summary.situationsAfterSuppressions();
        assertThat(after.get("eligible")).isEqualTo(summary.situations().get("eligible") - all.size());
        assertThat(after.get("suppressed_bounced")).isEqualTo(summary.bounced().size());
        assertThat(after.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(summary.contacts());
    }

    @Test
    void examplesAndFeaturedPeopleAreWhatTheySay() {
        assertThat(summary.featured()).contains("lucja.wisniewska@poczta.example", "djordje.petrovic@eunet.example",
                "oliver.smith@example.com");
        assertThat(summary.featured()).allSatisfy(e -> assertThat(classify(contacts.get(e), false)).isEqualTo("eligible"));
        Set<String> featuredLocales = summary.featured().stream()
                .map(e -> last(contacts.get(e)).get("locale")).collect(Collectors.toSet());
        assertThat(featuredLocales).containsExactlyInAnyOrder("pl", "sr-Latn", "en");
        assertThat(names()).contains("Łucja Wiśniewska", "Jędrzej Sęk", "Zofia Żółtowska", "Đorđe Petrović",
                "Milica Šćekić", "Nikola Čović", "Jelena Ćirić", "Oliver Smith", "Chloe O'Brien");

        summary.examples().forEach((situation, email) ->
                assertThat(classify(contacts.get(email), false)).as(email).isEqualTo(situation));
        assertThat(summary.examples().keySet()).containsExactlyInAnyOrder("eligible", "no_consent",
                "consent_withdrawn", "unconfirmed", "consent_expired", "minor_without_parental_consent");
    }

    @Test
    void sameDayGivesTheSameBytesAnotherDayTheSamePeople() throws IOException {
        Path again = dir.resolve("again.csv");
        SampleShop.Summary second = SampleShop.writeContacts(again, TODAY);
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(csv));
        assertThat(second).isEqualTo(summary);

        Path later = dir.resolve("later.csv");
        SampleShop.Summary shifted = SampleShop.writeContacts(later, TODAY.plusDays(40));
        assertThat(shifted.situations()).isEqualTo(summary.situations());
        assertThat(parse(later).stream().map(r -> r.get("email")).toList())
                .isEqualTo(records.stream().map(r -> r.get("email")).toList());
    }

    @Test
    void namesCarryTheirDiacritics() {
        List<String> names = names();
        assertThat(names.stream().filter(n -> !n.chars().allMatch(c -> c < 128)).count())
                .isGreaterThan(names.size() / 3);
        String all = String.join(" ", names);
        for (String letter : List.of("Ł", "ł", "ę", "ą", "ś", "ż", "ó", "ń", "Đ", "đ", "Š", "š", "č", "ć", "Ž", "'")) {
            assertThat(all).as(letter).contains(letter);
        }
    }

    @Test
    void everyAddressIsOnAReservedDomain() {
        for (String email : contacts.keySet()) {
            String domain = email.substring(email.indexOf('@') + 1);
            assertThat(domain.endsWith(".example") || Set.of("example.com", "example.net", "example.org")
                    .contains(domain)).as(email).isTrue();
        }
        assertThat(contacts.keySet().stream().map(e -> e.substring(e.indexOf('@') + 1)).distinct().count())
                .isGreaterThan(10);
        long gmail = contacts.keySet().stream().filter(e -> e.endsWith("@gmail.example")).count();
        assertThat(gmail).isGreaterThan(100);
    }

    @Test
    void someAddressesNeedNormalizing() {
        List<String> raw = records.stream().map(r -> r.get("email")).toList();
        long messy = raw.stream()
                .filter(e -> !e.equals(e.strip().toLowerCase(Locale.ROOT)) && e.contains("@"))
                .count();
        assertThat(messy).isEqualTo(summary.details().get("messy_addresses").longValue()).isPositive();
        assertThat(raw).anyMatch(e -> e.startsWith(" ") || e.endsWith(" "));
        assertThat(raw).anyMatch(e -> e.strip().equals(e) && !e.equals(e.toLowerCase(Locale.ROOT)));
    }

    @Test
    void localesAndAttributesLookLikeTheShop() {
        Map<String, Long> locales = contacts.values().stream()
                .collect(Collectors.groupingBy(rows -> last(rows).get("locale"), Collectors.counting()));
        double n = contacts.size();
        assertThat(locales.keySet()).containsExactlyInAnyOrder("pl", "sr-Latn", "en");
        assertThat(locales.get("pl") / n).isBetween(0.49, 0.61);
        assertThat(locales.get("sr-Latn") / n).isBetween(0.19, 0.31);
        assertThat(locales.get("en") / n).isBetween(0.14, 0.26);

        assertThat(contacts.values()).allSatisfy(rows -> {
            CSVRecord r = last(rows);
            assertThat(r.get("city")).isNotBlank();
            assertThat(r.get("loyalty_points")).matches("\\d*");
            assertThat(r.get("tags")).containsAnyOf("customers", "newsletter-readers"); // inside the audience
        });
        assertThat(records.stream().map(r -> r.get("city"))).contains("Kraków", "Beograd", "Novi Sad", "Dublin");
        assertThat(records.stream().map(r -> r.get("tags")))
                .anyMatch(t -> t.contains("wholesale")).anyMatch(t -> t.contains("bought-list"));
        long withBirthDate = contacts.values().stream().filter(rows -> !last(rows).get("birth_date").isEmpty()).count();
        assertThat(withBirthDate).isGreaterThan(contacts.size() * 7L / 10);
    }

    @Test
    void exampleCampaignFilesUseOnlySpecKeys() throws IOException {
        Path examples = examplesDir();
        Set<String> specKeys = Set.of("name", "purpose", "template", "subject", "from", "reply-to", "audience",
                "require-confirmed", "allow-existing-customers", "max-consent-age", "minimum-age", "rate",
                "per-domain");

        Map<String, Object> newsletter = yaml(examples.resolve("newsletter.yaml"));
        assertThat(specKeys).containsAll(newsletter.keySet());
        assertThat(newsletter).containsEntry("name", "newsletter-{yyyy-MM}").containsEntry("purpose", "newsletter")
                .containsEntry("template", "newsletter").containsEntry("require-confirmed", true)
                .containsEntry("max-consent-age", "P24M").containsEntry("minimum-age", 16)
                .containsEntry("rate", "3000/min").containsEntry("from", "Kawiarnia Nowak <news@kawiarnia.example>")
                .containsEntry("per-domain", Map.of("gmail.example", "600/min"));
        assertThat(newsletter.get("audience")).isEqualTo(Map.of("locales", List.of("pl", "sr-Latn", "en"),
                "tags", List.of("customers", "newsletter-readers")));

        Map<String, Object> moved = yaml(examples.resolve("shop-moved.yaml"));
        assertThat(specKeys).containsAll(moved.keySet());
        assertThat(moved).containsEntry("name", "shop-moved-2026").containsEntry("purpose", "newsletter")
                .containsEntry("template", "shop-moved").doesNotContainKey("subject")
                .doesNotContainKey("per-domain");
    }

    // --- a small gate, written from SPEC §3 and §6 only -----------------------------------------

    private static boolean isValid(CSVRecord r) {
        try {
            if (!r.get("birth_date").isEmpty()) {
                LocalDate.parse(r.get("birth_date"));
            }
            for (String column : List.of("consent_at", "confirmed_at")) {
                if (!r.get(column).isEmpty()) {
                    OffsetDateTime.parse(r.get(column));
                }
            }
        } catch (DateTimeParseException e) {
            return false;
        }
        String status = r.get("consent_status");
        if (!status.isEmpty() && r.get("consent_purpose").isEmpty()) {
            return false;
        }
        return Set.of("", "granted", "withdrawn").contains(status);
    }

    private static Map<String, Integer> classifyAll(boolean allowExistingCustomers) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("eligible", 0);
        SampleShop.REASON_CODES.forEach(code -> counts.put(code, 0));
        contacts.values().forEach(rows -> counts.merge(classify(rows, allowExistingCustomers), 1, Integer::sum));
        return counts;
    }

    private static String classify(List<CSVRecord> rows, boolean allowExistingCustomers) {
        Optional<CSVRecord> latest = rows.stream()
                .filter(r -> r.get("consent_purpose").equals("newsletter"))
                .filter(r -> allowExistingCustomers || !r.get("lawful_basis").equals("existing_customer"))
                .max(Comparator.comparing(r -> OffsetDateTime.parse(r.get("consent_at")).toInstant()));
        if (latest.isEmpty()) {
            return "no_consent";
        }
        CSVRecord consent = latest.get();
        if (status(consent).equals("withdrawn")) {
            return "consent_withdrawn";
        }
        boolean existingCustomer = consent.get("lawful_basis").equals("existing_customer");
        if (!existingCustomer && consent.get("confirmed_at").isEmpty()) {
            return "unconfirmed";
        }
        if (OffsetDateTime.parse(consent.get("consent_at")).isBefore(NOW.minusMonths(24))) {
            return "consent_expired";
        }
        if (isMinor(rows) && !consent.get("parental_consent").equals("true")) {
            return "minor_without_parental_consent";
        }
        return "eligible";
    }

    private static boolean isMinor(List<CSVRecord> rows) {
        String birth = last(rows).get("birth_date");
        return !birth.isEmpty() && Period.between(LocalDate.parse(birth), TODAY).getYears() < 16;
    }

    private static String status(CSVRecord r) {
        return r.get("consent_status").isEmpty() && !r.get("consent_purpose").isEmpty()
                ? "granted" : r.get("consent_status");
    }

    private static Set<String> purposes(List<CSVRecord> rows) {
        return rows.stream().map(r -> r.get("consent_purpose")).filter(p -> !p.isEmpty()).collect(Collectors.toSet());
    }

    private static String tags(List<CSVRecord> rows) {
        return last(rows).get("tags");
    }

    private static CSVRecord last(List<CSVRecord> rows) {
        return rows.get(rows.size() - 1);
    }

    private static List<String> names() {
        return contacts.values().stream().map(rows -> last(rows).get("name")).toList();
    }

    // --- files ----------------------------------------------------------------------------------

    private static List<CSVRecord> parse(Path file) throws IOException {
        try (CSVParser parser = parser(file)) {
            return parser.getRecords();
        }
    }

    private static CSVParser parser(Path file) throws IOException {
        Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        return CSVParser.builder().setReader(reader)
                .setFormat(CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()).get();
    }

    /** The tests run in mailer-cli; the examples live at the repository's top level. */
    private static Path examplesDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("examples")) && Files.exists(p.resolve("mailer-core"))) {
                return p.resolve("examples");
            }
        }
        throw new IllegalStateException("no examples/ directory above " + Path.of("").toAbsolutePath());
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Yaml().load(reader);
        }
    }
}
