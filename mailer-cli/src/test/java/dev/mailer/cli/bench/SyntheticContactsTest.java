package dev.mailer.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.contacts.EmailAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticContactsTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 3, 15);
    private static final OffsetDateTime NOW = TODAY.atTime(12, 0).atOffset(ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void writesExactlyTheRowsAskedForWithUniqueValidAddresses() throws IOException {
        Path csv = dir.resolve("contacts.csv");
        SyntheticContacts.write(csv, 100_000, 7, TODAY);

        Set<String> emails = new HashSet<>();
        Set<String> domains = new HashSet<>();
        Map<String, Integer> outcomes = new HashMap<>();
        int rows = 0;
        try (CSVParser parser = parser(csv)) {
            assertThat(String.join(",", parser.getHeaderNames())).isEqualTo(SyntheticContacts.HEADER);
            for (CSVRecord r : parser) {
                rows++;
                assertThat(r.size()).isEqualTo(parser.getHeaderNames().size());
                String email = EmailAddress.normalize(r.get("email")).orElseThrow();
                assertThat(emails.add(email)).as("duplicate %s", email).isTrue();
                String domain = email.substring(email.indexOf('@') + 1);
                assertThat(domain).endsWith(".example");
                domains.add(domain);
                outcomes.merge(classify(r), 1, Integer::sum);
            }
        }
        assertThat(rows).isEqualTo(100_000);
        assertThat(domains.size()).isBetween(45, 50);

        // The mix the benchmarks rely on, within sampling noise.
        assertThat(share(outcomes, "eligible", rows)).isBetween(0.68, 0.72);
        assertThat(share(outcomes, "no_consent", rows)).isBetween(0.10, 0.14); // bought, soft opt-in, other purposes
        assertThat(share(outcomes, "consent_withdrawn", rows)).isBetween(0.04, 0.06);
        assertThat(share(outcomes, "unconfirmed", rows)).isBetween(0.04, 0.06);
        assertThat(share(outcomes, "consent_expired", rows)).isBetween(0.04, 0.06);
        assertThat(share(outcomes, "minor_without_parental_consent", rows)).isBetween(0.02, 0.04);
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherFile() throws IOException {
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        Path c = dir.resolve("c.csv");
        SyntheticContacts.write(a, 5_000, 42, TODAY);
        SyntheticContacts.write(b, 5_000, 42, TODAY);
        SyntheticContacts.write(c, 5_000, 43, TODAY);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        assertThat(Files.readAllBytes(a)).isNotEqualTo(Files.readAllBytes(c));
    }

    @Test
    void smallCounts() throws IOException {
        Path empty = dir.resolve("empty.csv");
        SyntheticContacts.write(empty, 0, 1, TODAY);
        assertThat(Files.readString(empty)).isEqualTo(SyntheticContacts.HEADER + "\r\n");

        Path one = dir.resolve("one.csv");
        SyntheticContacts.write(one, 1, 1, TODAY);
        try (CSVParser parser = parser(one)) {
            assertThat(parser.getRecords()).singleElement()
                    .satisfies(r -> assertThat(r.get("email")).startsWith("user1@"));
        }
    }

    @Test
    void writesExactlyTheRowsAskedFor() throws IOException {
        // speed is measured by 'mailer bench import', not asserted here: shared machines are noisy
        Path csv = dir.resolve("many.csv");
        SyntheticContacts.write(csv, 100_000, 1, TODAY);
        long lines = 0;
        String last = null;
        try (BufferedReader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines++;
                last = line;
            }
        }
        assertThat(lines).isEqualTo(100_001);
        assertThat(last).startsWith("user100000@");
    }

    /** The SPEC §6 outcome for a one-row contact, for a newsletter campaign with the demo's settings. */
    private static String classify(CSVRecord r) {
        if (!r.get("consent_purpose").equals("newsletter") || r.get("lawful_basis").equals("existing_customer")) {
            return "no_consent";
        }
        if (r.get("consent_status").equals("withdrawn")) {
            return "consent_withdrawn";
        }
        if (r.get("confirmed_at").isEmpty()) {
            return "unconfirmed";
        }
        if (OffsetDateTime.parse(r.get("consent_at")).isBefore(NOW.minusMonths(24))) {
            return "consent_expired";
        }
        String birth = r.get("birth_date");
        if (!birth.isEmpty() && Period.between(LocalDate.parse(birth), TODAY).getYears() < 16
                && !r.get("parental_consent").equals("true")) {
            return "minor_without_parental_consent";
        }
        assertThat(OffsetDateTime.parse(r.get("confirmed_at"))).isAfter(OffsetDateTime.parse(r.get("consent_at")));
        return "eligible";
    }

    private static double share(Map<String, Integer> outcomes, String outcome, int rows) {
        return outcomes.getOrDefault(outcome, 0) / (double) rows;
    }

    private static CSVParser parser(Path file) throws IOException {
        Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        return CSVParser.builder().setReader(reader)
                .setFormat(CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()).get();
    }
}
