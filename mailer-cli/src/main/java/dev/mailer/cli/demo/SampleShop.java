package dev.mailer.cli.demo;

import dev.mailer.audience.ExclusionReason;
import dev.mailer.cli.demo.ShopPeople.Person;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The demo's customer list: "Kawiarnia Nowak", a small Kraków coffee shop with an online store,
 * moves about a thousand customers from Poland, Serbia and English-speaking countries to mailer.
 *
 * <p>The file is built so that a dry run of {@code examples/newsletter.yaml} (purpose
 * {@code newsletter}, double opt-in, consent at most 24 months old, minimum age 16, existing
 * customers not allowed) shows every consent-gate outcome a CSV can produce, with most people
 * eligible. Every generated contact falls inside that campaign's audience (locales pl, sr-Latn, en;
 * tags customers or newsletter-readers), so the counts in {@link Summary#situations()} are what the
 * report shows before the demo adds suppressions.
 *
 * <p>Only reserved names are used for mail domains: the {@code .example} top-level domain and
 * {@code example.com/.net/.org} (RFC 2606, RFC 6761). Look-alikes such as {@code example.pl} are
 * ordinary registrable names and could reach a real mailbox, so they are avoided on purpose.
 *
 * <p>The people themselves (names, places, birth dates, addresses) come from {@link ShopPeople};
 * this class gives each one a consent situation, writes their rows and keeps the summary.
 */
public final class SampleShop {

    /** Fixed, so the demo, its README transcript and the tests all meet the same people. */
    public static final long SEED = 0x4B617761L;

    public static final List<String> COLUMNS = List.of("email", "name", "locale", "tags", "birth_date", "city",
            "loyalty_points", "consent_purpose", "consent_status", "consent_at", "consent_source", "consent_ip",
            "consent_text", "confirmed_at", "lawful_basis", "parental_consent");

    /** SPEC §6 reason codes in gate order. */
    public static final List<String> REASON_CODES =
            Arrays.stream(ExclusionReason.values()).map(ExclusionReason::code).toList();

    public static final String ELIGIBLE = "eligible";

    /**
     * What was written.
     *
     * @param rows           data rows in the file (header not counted), bad rows included
     * @param contacts       distinct valid addresses, i.e. contacts an import creates
     * @param rejected       rows an import must reject
     * @param rejectedLines  their line numbers in the file (the header is line 1)
     * @param situations     contacts per gate outcome: {@code eligible} and every SPEC §6 reason code
     *                       (zero for those a CSV cannot produce); the values add up to {@code contacts}
     * @param details        how the outcomes came about: {@code bought_list}, {@code other_purpose_only},
     *                       {@code existing_customer} (all three are {@code no_consent}),
     *                       {@code minor_with_parental_consent} and {@code multi_purpose} (both eligible),
     *                       {@code withdrawal_history} and {@code messy_addresses} (rows whose address
     *                       has upper case or surrounding spaces)
     * @param examples       one normalized address per key of {@code situations} that the CSV produces,
     *                       for {@code consent show} in the demo
     * @param featured       eligible people with hand-picked names, at least one per locale, never
     *                       among the addresses below: good for {@code preview --to}
     * @param unsubscribeAll eligible contacts the demo can make "unsubscribe from everything"
     * @param bounced        eligible contacts the demo can give a hard bounce
     * @param complaint      eligible contacts the demo can make report spam
     * @param manualBlock    eligible contacts the demo can block by hand
     */
    public record Summary(int rows, int contacts, int rejected, List<Integer> rejectedLines,
                          Map<String, Integer> situations, Map<String, Integer> details,
                          Map<String, String> examples, List<String> featured,
                          List<String> unsubscribeAll, List<String> bounced, List<String> complaint,
                          List<String> manualBlock) {

        /** The outcomes once the demo has applied the four suppression lists above. */
        public Map<String, Integer> situationsAfterSuppressions() {
            Map<String, Integer> after = new LinkedHashMap<>(situations);
            move(after, unsubscribeAll, "suppressed_unsubscribed");
            move(after, bounced, "suppressed_bounced");
            move(after, complaint, "suppressed_complaint");
            move(after, manualBlock, "suppressed_manual");
            return Collections.unmodifiableMap(after);
        }

        private static void move(Map<String, Integer> counts, List<String> addresses, String reason) {
            counts.merge(ELIGIBLE, -addresses.size(), Integer::sum);
            counts.merge(reason, addresses.size(), Integer::sum);
        }
    }

    private SampleShop() {
    }

    /**
     * Writes the customer list. The same {@code today} gives the same bytes; another day gives the
     * same people with dates shifted, so consent ages stay what the situation needs. Pass the day
     * the file will be imported and sent: an import refuses dates in the future.
     */
    public static Summary writeContacts(Path csv, LocalDate today) {
        Generator generator = new Generator(today);
        List<String[]> rows = generator.generate();
        try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
             CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder()
                     .setHeader(COLUMNS.toArray(String[]::new)).get())) {
            for (String[] row : rows) {
                printer.printRecord((Object[]) row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + csv + ": " + e.getMessage(), e);
        }
        return generator.summary(rows.size());
    }

    // ---------------------------------------------------------------------------------------------

    /** What the gate is meant to conclude about one person; {@code reason} is the SPEC §6 code. */
    enum Kind {
        PLAIN(ELIGIBLE, 640),
        MULTI_PURPOSE(ELIGIBLE, 60),
        MINOR_WITH_PARENTAL_CONSENT(ELIGIBLE, 15),
        BOUGHT_LIST("no_consent", 80),
        OTHER_PURPOSE_ONLY("no_consent", 30),
        EXISTING_CUSTOMER("no_consent", 25),
        WITHDRAWN("consent_withdrawn", 45),
        UNCONFIRMED("unconfirmed", 45),
        EXPIRED("consent_expired", 40),
        MINOR_WITHOUT_PARENTAL_CONSENT("minor_without_parental_consent", 20);

        final String reason;
        final int quota;

        Kind(String reason, int quota) {
            this.reason = reason;
            this.quota = quota;
        }
    }

    private static final int SUPPRESSION_PICKS_PER_LIST = 3;
    private static final String[] OTHER_PURPOSES = {"promotions", "surveys"};

    // Index of each column in a row array, in COLUMNS order.
    private static final int EMAIL = 0, NAME = 1, LOCALE = 2, TAGS = 3, BIRTH = 4, CITY = 5, POINTS = 6,
            PURPOSE = 7, STATUS = 8, AT = 9, SOURCE = 10, IP = 11, TEXT = 12, CONFIRMED = 13, BASIS = 14,
            PARENTAL = 15;

    /** A row and where it goes: rows are written in ascending key order. */
    private record Placed(double key, String[] row) {
    }

    /** All randomness goes through one seeded Random, consumed in a fixed order, so output is reproducible. */
    private static final class Generator {
        private final LocalDate today;
        private final Random random = new Random(SEED);
        private final ShopPeople people;
        private final Map<String, Integer> situations = new LinkedHashMap<>();
        private final Map<String, Integer> details = new LinkedHashMap<>();
        private final Map<String, String> examples = new LinkedHashMap<>();
        private final List<String> featured = new ArrayList<>();
        private final List<String> pickCandidates = new ArrayList<>();
        private final List<Integer> rejectedLines = new ArrayList<>();
        private int contacts;
        /** Set for the bad rows, whose one fault must be the intended one. */
        private boolean tidyAddresses;

        Generator(LocalDate today) {
            this.today = today;
            situations.put(ELIGIBLE, 0);
            REASON_CODES.forEach(code -> situations.put(code, 0));
            for (String key : List.of("bought_list", "other_purpose_only", "existing_customer",
                    "minor_with_parental_consent", "multi_purpose", "withdrawal_history", "messy_addresses")) {
                details.put(key, 0);
            }
            people = new ShopPeople(today, random);
        }

        List<String[]> generate() {
            List<Kind> kinds = new ArrayList<>();
            for (Kind kind : Kind.values()) {
                kinds.addAll(Collections.nCopies(kind.quota, kind));
            }
            Collections.shuffle(kinds, random);
            List<Placed> placed = new ArrayList<>();
            int nextFeatured = 0;
            for (int i = 0; i < kinds.size(); i++) {
                Kind kind = kinds.get(i);
                // Featured people take the first plain-eligible slots, so the head of the file shows them.
                Person person = kind == Kind.PLAIN && nextFeatured < ShopPeople.FEATURED.size()
                        ? featuredPerson(ShopPeople.FEATURED.get(nextFeatured++))
                        : people.next(kind);
                count(person);
                List<String[]> rows = rowsFor(person);
                for (int r = 0; r < rows.size(); r++) {
                    placed.add(new Placed(i + r / 10.0, rows.get(r)));
                }
                if (kind == Kind.WITHDRAWN) {
                    // The withdrawal turns up later in the export, as it would in a real history.
                    double later = i + 1 + random.nextDouble() * (kinds.size() - i);
                    placed.add(new Placed(later, withdrawal(person)));
                }
            }
            placed.sort(Comparator.comparingDouble(Placed::key));
            List<String[]> rows = new ArrayList<>(placed.size() + 3);
            placed.forEach(p -> rows.add(p.row()));
            insertBadRows(rows);
            return rows;
        }

        Summary summary(int rowCount) {
            List<List<String>> picks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                picks.add(new ArrayList<>());
            }
            // Spread the picks over the whole file (and so over locales and domains).
            int wanted = 4 * SUPPRESSION_PICKS_PER_LIST;
            for (int i = 0; i < wanted; i++) {
                picks.get(i % 4).add(pickCandidates.get(i * pickCandidates.size() / wanted));
            }
            return new Summary(rowCount, contacts, rejectedLines.size(), List.copyOf(rejectedLines),
                    Collections.unmodifiableMap(situations), Collections.unmodifiableMap(details),
                    Collections.unmodifiableMap(examples), List.copyOf(featured),
                    List.copyOf(picks.get(0)), List.copyOf(picks.get(1)), List.copyOf(picks.get(2)),
                    List.copyOf(picks.get(3)));
        }

        private void count(Person person) {
            contacts++;
            situations.merge(person.kind().reason, 1, Integer::sum);
            examples.putIfAbsent(person.kind().reason, person.email());
            String detail = switch (person.kind()) {
                case BOUGHT_LIST -> "bought_list";
                case OTHER_PURPOSE_ONLY -> "other_purpose_only";
                case EXISTING_CUSTOMER -> "existing_customer";
                case MINOR_WITH_PARENTAL_CONSENT -> "minor_with_parental_consent";
                case MULTI_PURPOSE -> "multi_purpose";
                case WITHDRAWN -> "withdrawal_history";
                default -> null;
            };
            if (detail != null) {
                details.merge(detail, 1, Integer::sum);
            }
        }

        private Person featuredPerson(ShopPeople.Featured f) {
            featured.add(f.email());
            return people.featured(f);
        }

        // --- rows ---------------------------------------------------------------------------------

        private List<String[]> rowsFor(Person p) {
            List<String[]> rows = new ArrayList<>();
            switch (p.kind()) {
                case PLAIN -> {
                    rows.add(newsletterGrant(p, recentDaysAgo(), true, ""));
                    // Only addresses written exactly as stored, so the demo's commands name them verbatim.
                    if (!featured.contains(p.email()) && rows.get(0)[EMAIL].equals(p.email())) {
                        pickCandidates.add(p.email());
                    }
                }
                case MULTI_PURPOSE -> {
                    rows.add(newsletterGrant(p, recentDaysAgo(), true, ""));
                    List<String> others = new ArrayList<>(List.of(OTHER_PURPOSES));
                    Collections.shuffle(others, random);
                    int extra = 1 + random.nextInt(others.size());
                    for (String purpose : others.subList(0, extra)) {
                        rows.add(otherPurposeGrant(p, purpose));
                    }
                    Collections.shuffle(rows, random);
                }
                case MINOR_WITH_PARENTAL_CONSENT -> rows.add(newsletterGrant(p, recentDaysAgo(), true, "true"));
                case MINOR_WITHOUT_PARENTAL_CONSENT ->
                        rows.add(newsletterGrant(p, recentDaysAgo(), true, random.nextBoolean() ? "false" : ""));
                case UNCONFIRMED -> rows.add(newsletterGrant(p, recentDaysAgo(), false, ""));
                case EXPIRED -> rows.add(newsletterGrant(p, 3 * 365 + 10 + random.nextInt(2 * 365 - 20), true, ""));
                case WITHDRAWN -> rows.add(newsletterGrant(p, 120 + random.nextInt(580), true, ""));
                case BOUGHT_LIST -> rows.add(contactRow(p));
                case OTHER_PURPOSE_ONLY -> {
                    rows.add(otherPurposeGrant(p, OTHER_PURPOSES[random.nextInt(OTHER_PURPOSES.length)]));
                    if (random.nextInt(100) < 30) {
                        String second = rows.get(0)[PURPOSE].equals("promotions") ? "surveys" : "promotions";
                        rows.add(otherPurposeGrant(p, second));
                    }
                }
                case EXISTING_CUSTOMER -> rows.add(existingCustomer(p));
                default -> throw new IllegalStateException(p.kind().name());
            }
            return rows;
        }

        /** Contact columns filled, consent columns empty: what a bought list looks like. */
        private String[] contactRow(Person p) {
            String[] row = new String[COLUMNS.size()];
            Arrays.fill(row, "");
            row[EMAIL] = tidyAddresses ? p.email() : asWritten(p.email());
            row[NAME] = p.name();
            row[LOCALE] = p.locality().locale();
            row[TAGS] = p.tags();
            row[BIRTH] = p.birthDate() == null ? "" : p.birthDate().toString();
            row[CITY] = p.city();
            row[POINTS] = p.loyaltyPoints();
            return row;
        }

        private String[] newsletterGrant(Person p, int daysAgo, boolean confirmed, String parental) {
            String[] row = contactRow(p);
            int channel = random.nextInt(100);
            // The paper form is on the counter in Kraków, so only Polish customers sign it.
            boolean paper = p.locality() == ShopPeople.PL && channel < 15;
            boolean checkout = !paper && channel < 40;
            ZonedDateTime at = timeOfDay(daysAgo, checkout ? ZoneOffset.UTC : p.locality().zone());
            row[PURPOSE] = "newsletter";
            row[STATUS] = random.nextInt(100) < 10 ? "" : "granted"; // empty status means granted (SPEC §3)
            row[AT] = format(at);
            row[SOURCE] = paper ? "paper form (shop counter)" : checkout ? "checkout" : p.locality().webForm();
            row[IP] = paper ? "" : documentationIp();
            row[TEXT] = paper ? "paper-form-v2" : daysAgo > 365 ? "newsletter-v2" : "newsletter-v3";
            if (confirmed) {
                // Web and checkout sign-ups click the link within minutes; paper forms are typed in later
                // and the confirmation mail sent from there.
                ZonedDateTime when = paper
                        ? at.plusDays(1 + random.nextInt(4)).plusMinutes(random.nextInt(600))
                        : at.plusMinutes(2 + random.nextInt(90)).plusSeconds(random.nextInt(60));
                row[CONFIRMED] = format(when);
            }
            row[BASIS] = "consent";
            row[PARENTAL] = parental;
            return row;
        }

        private String[] otherPurposeGrant(Person p, String purpose) {
            String[] row = contactRow(p);
            ZonedDateTime at = timeOfDay(recentDaysAgo(), p.locality().zone());
            row[PURPOSE] = purpose;
            row[STATUS] = "granted";
            row[AT] = format(at);
            row[SOURCE] = purpose.equals("surveys") ? "https://kawiarnia.example/ankieta" : "checkout";
            row[IP] = documentationIp();
            row[TEXT] = purpose + "-v1";
            row[CONFIRMED] = format(at.plusMinutes(3 + random.nextInt(60)));
            row[BASIS] = "consent";
            return row;
        }

        /** Soft opt-in after a purchase: a record, but not consent, so it needs allow-existing-customers. */
        private String[] existingCustomer(Person p) {
            String[] row = contactRow(p);
            row[PURPOSE] = "newsletter";
            row[STATUS] = "granted";
            row[AT] = format(timeOfDay(recentDaysAgo(), ZoneOffset.UTC));
            row[SOURCE] = "checkout";
            row[IP] = documentationIp();
            row[TEXT] = "checkout-notice-v1";
            row[BASIS] = "existing_customer";
            return row;
        }

        private String[] withdrawal(Person p) {
            String[] row = contactRow(p);
            int channel = random.nextInt(3);
            row[PURPOSE] = "newsletter";
            row[STATUS] = "withdrawn";
            row[AT] = format(timeOfDay(1 + random.nextInt(100), p.locality().zone()));
            row[SOURCE] = switch (channel) {
                case 0 -> "https://kawiarnia.example/unsubscribe";
                case 1 -> "e-mail to kontakt@kawiarnia.example";
                default -> "phone call to the shop";
            };
            row[IP] = channel == 0 ? documentationIp() : "";
            return row;
        }

        private void insertBadRows(List<String[]> rows) {
            // Each is a new person with one thing wrong, so rejecting the row loses no one else's data.
            String[][] bad = new String[3][];
            tidyAddresses = true;
            bad[0] = contactRow(people.bad("Marek", "Zieliński", "marek.zielinski.poczta.example"));
            bad[1] = contactRow(people.bad("Bożena", "Wróbel", "bozena.wrobel@wp.example"));
            bad[1][BIRTH] = "2023-13-45";
            bad[2] = newsletterGrant(people.bad("Dušan", "Lukić", "dusan.lukic@sbb.example"), recentDaysAgo(),
                    true, "");
            bad[2][STATUS] = "maybe";
            for (int i = 0; i < bad.length; i++) {
                int index = (i + 1) * rows.size() / (bad.length + 1);
                rows.add(index, bad[i]);
            }
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i) == bad[0] || rows.get(i) == bad[1] || rows.get(i) == bad[2]) {
                    rejectedLines.add(i + 2); // no value holds a line break, so line = header + index
                }
            }
        }

        // --- values -------------------------------------------------------------------------------

        /**
         * Mostly as stored, sometimes as people really type: capitals or stray spaces, which the
         * import must normalize to the same contact.
         */
        private String asWritten(String email) {
            int r = random.nextInt(100);
            if (r >= 8) {
                return email;
            }
            details.merge("messy_addresses", 1, Integer::sum);
            return switch (r % 4) {
                case 0 -> capitalizeParts(email);
                case 1 -> email.toUpperCase(Locale.ROOT);
                case 2 -> " " + email + " ";
                default -> capitalizeParts(email) + "  ";
            };
        }

        /** 4 to 700 days ago: well inside P24M even when the gate runs days after {@code today}. */
        private int recentDaysAgo() {
            return 4 + random.nextInt(697);
        }

        private ZonedDateTime timeOfDay(int daysAgo, ZoneId zone) {
            LocalTime time = LocalTime.of(7 + random.nextInt(16), random.nextInt(60), random.nextInt(60));
            return today.minusDays(daysAgo).atTime(time).atZone(zone);
        }

        /** Addresses from the documentation ranges (RFC 5737, RFC 3849), never a real visitor's. */
        private String documentationIp() {
            return switch (random.nextInt(4)) {
                case 0 -> "192.0.2." + (1 + random.nextInt(254));
                case 1 -> "198.51.100." + (1 + random.nextInt(254));
                case 2 -> "203.0.113." + (1 + random.nextInt(254));
                default -> "2001:db8::" + Integer.toHexString(1 + random.nextInt(0xfffe));
            };
        }
    }

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private static String format(ZonedDateTime time) {
        return TIMESTAMP.format(time.truncatedTo(ChronoUnit.SECONDS));
    }

    private static String capitalizeParts(String email) {
        StringBuilder b = new StringBuilder(email.length());
        boolean start = true;
        for (char c : email.toCharArray()) {
            b.append(start ? Character.toUpperCase(c) : c);
            start = c == '.' || c == '@' || c == '_';
        }
        return b.toString();
    }
}
