package dev.mailer.cli.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

/**
 * Large contact files for import and send benchmarks: {@code rows} unique contacts
 * {@code user<N>@<domain>.example} with a realistic mix of consent situations (about 70 % eligible
 * for a {@code newsletter} campaign with double opt-in, P24M and minimum age 16).
 *
 * <p>Written by hand rather than through Commons CSV because a million rows must take seconds,
 * and it is safe: every value comes from the tables below or from digits, and none holds a
 * comma, a quote or a line break, so no field ever needs quoting under RFC 4180.
 *
 * <p>Every contact has one row, so the file has exactly {@code rows} contacts; a withdrawal is a
 * single {@code withdrawn} row rather than a grant-then-withdraw history.
 */
public final class SyntheticContacts {

    public static final String HEADER = "email,name,locale,tags,birth_date,city,consent_purpose,consent_status,"
            + "consent_at,consent_source,consent_ip,consent_text,confirmed_at,lawful_basis,parental_consent";

    private static final String CRLF = "\r\n";
    private static final int DOMAIN_COUNT = 50;
    private static final String[] DOMAINS = domains();
    private static final String[] LOCALES = {"pl", "sr-Latn", "en"};
    private static final String[][] FIRST_NAMES = {
        {"Łucja", "Zofia", "Małgorzata", "Jędrzej", "Łukasz", "Paweł", "Michał", "Agnieszka", "Grażyna", "Mikołaj",
            "Wojciech", "Żaneta", "Bożena", "Stanisław", "Bartłomiej", "Anna"},
        {"Đorđe", "Milica", "Nikola", "Jelena", "Dušan", "Snežana", "Miloš", "Željko", "Dušica", "Marko", "Ana",
            "Lazar"},
        {"Oliver", "Chloe", "Siobhán", "Seán", "Amelia", "Jack", "Zoë", "George", "Niamh", "Ciarán", "Grace",
            "Harry"}};
    private static final String[][] LAST_NAMES = {
        {"Nowak", "Sęk", "Woźniak", "Mazur", "Król", "Wróbel", "Stępień", "Kołodziej", "Ślusarczyk", "Żak",
            "Łuczak", "Gąsior", "Bąk", "Mróz", "Gołąb", "Dudek"},
        {"Petrović", "Šćekić", "Čović", "Ćirić", "Jovanović", "Đorđević", "Živković", "Kovačević", "Šarić",
            "Čolić", "Knežević", "Đukić"},
        {"Smith", "O'Brien", "Murphy", "Jones", "Walsh", "Ó Briain", "Taylor", "Kelly", "D'Arcy", "Byrne",
            "Wright", "Doyle"}};
    private static final String[][] CITIES = {
        {"Kraków", "Warszawa", "Gdańsk", "Wrocław", "Poznań", "Łódź"},
        {"Beograd", "Novi Sad", "Niš", "Kragujevac"},
        {"London", "Dublin", "Manchester", "Cork"}};
    private static final String[] TAGS = {"customers", "customers", "customers;newsletter-readers",
        "newsletter-readers", "customers;wholesale"};
    private static final String[] SOURCES = {"https://kawiarnia.example/newsletter", "checkout",
        "paper form (shop counter)"};

    /** Days covered by the date table: old enough for an 81-year-old's birthday. */
    private static final int MAX_DAYS_AGO = 81 * 366;
    private static final int SECONDS_PER_DAY = 86_400;
    /** Minors are 13 to 15, kept days away from the 13th and 16th birthdays whatever the leap years. */
    private static final int MINOR_MIN_DAYS = 13 * 366 + 5;
    private static final int MINOR_MAX_DAYS = 16 * 365 - 5;

    private SyntheticContacts() {
    }

    /** Writes the file with dates relative to today (UTC). */
    public static void write(Path csv, int rows, long seed) {
        write(csv, rows, seed, LocalDate.now(ZoneOffset.UTC));
    }

    /** The same {@code rows}, {@code seed} and {@code today} give the same bytes. */
    public static void write(Path csv, int rows, long seed, LocalDate today) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative: " + rows);
        }
        // Formatting dates is the costly part of a row; a table of day strings makes it a lookup.
        String[] daysAgo = new String[MAX_DAYS_AGO + 1];
        for (int d = 0; d <= MAX_DAYS_AGO; d++) {
            daysAgo[d] = today.minusDays(d).toString();
        }
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder line = new StringBuilder(256);
        try (Writer out = new BufferedWriter(
                new OutputStreamWriter(Files.newOutputStream(csv), StandardCharsets.UTF_8), 1 << 16)) {
            out.write(HEADER);
            out.write(CRLF);
            for (int n = 1; n <= rows; n++) {
                line.setLength(0);
                row(line, n, random, daysAgo);
                out.append(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + csv + ": " + e.getMessage(), e);
        }
    }

    private static void row(StringBuilder b, int n, SplittableRandom random, String[] days) {
        int l = random.nextInt(100);
        int locale = l < 55 ? 0 : l < 80 ? 1 : 2;
        // Squaring skews the pick towards the first domains, as real lists are dominated by a few big providers.
        double d = random.nextDouble();
        String domain = DOMAINS[(int) (d * d * DOMAIN_COUNT)];
        int situation = random.nextInt(100);
        boolean minor = situation >= 95 && situation < 98;

        b.append("user").append(n).append('@').append(domain).append(',');
        b.append(pick(FIRST_NAMES[locale], random)).append(' ').append(pick(LAST_NAMES[locale], random)).append(',');
        b.append(LOCALES[locale]).append(',');
        b.append(minor ? "newsletter-readers" : pick(TAGS, random)).append(',');
        if (minor) {
            b.append(days[MINOR_MIN_DAYS + random.nextInt(MINOR_MAX_DAYS - MINOR_MIN_DAYS)]);
        } else if (random.nextInt(10) != 0) {
            b.append(days[19 * 366 + random.nextInt(60 * 366)]);
        }
        b.append(',');
        b.append(pick(CITIES[locale], random)).append(',');

        if (situation < 70) {
            grant(b, random, days, "newsletter", recent(random), true, "consent", "");
        } else if (situation < 77) {
            b.append(",,,,,,,,"); // no consent columns at all: a bought list
        } else if (situation < 80) {
            grant(b, random, days, "newsletter", recent(random), false, "existing_customer", "");
        } else if (situation < 85) {
            b.append("newsletter,withdrawn,");
            timestamp(b, days, 1 + random.nextInt(300), random.nextInt(SECONDS_PER_DAY));
            b.append(",https://kawiarnia.example/unsubscribe,");
            ip(b, random);
            b.append(",,,consent,");
        } else if (situation < 90) {
            grant(b, random, days, "newsletter", recent(random), false, "consent", "");
        } else if (situation < 95) {
            grant(b, random, days, "newsletter", 3 * 365 + 10 + random.nextInt(2 * 365 - 20), true, "consent", "");
        } else if (minor) {
            grant(b, random, days, "newsletter", recent(random), true, "consent", random.nextBoolean() ? "false" : "");
        } else {
            grant(b, random, days, random.nextBoolean() ? "promotions" : "surveys", recent(random), true, "consent",
                    "");
        }
        b.append(CRLF);
    }

    /** The nine consent columns of a granted record. */
    private static void grant(StringBuilder b, SplittableRandom random, String[] days, String purpose, int daysAgo,
                              boolean confirmed, String basis, String parental) {
        int second = 7 * 3600 + random.nextInt(16 * 3600);
        b.append(purpose).append(",granted,");
        timestamp(b, days, daysAgo, second);
        b.append(',').append(basis.equals("existing_customer") ? "checkout" : pick(SOURCES, random)).append(',');
        ip(b, random);
        b.append(',').append(purpose).append("-v3,");
        if (confirmed) {
            int later = second + 120 + random.nextInt(5400);
            timestamp(b, days, daysAgo - later / SECONDS_PER_DAY, later % SECONDS_PER_DAY);
        }
        b.append(',').append(basis).append(',').append(parental);
    }

    /** 4 to 700 days ago: inside P24M with room to spare. */
    private static int recent(SplittableRandom random) {
        return 4 + random.nextInt(697);
    }

    private static void timestamp(StringBuilder b, String[] days, int daysAgo, int secondOfDay) {
        b.append(days[daysAgo]).append('T');
        two(b, secondOfDay / 3600).append(':');
        two(b, secondOfDay / 60 % 60).append(':');
        two(b, secondOfDay % 60).append('Z');
    }

    private static StringBuilder two(StringBuilder b, int value) {
        return b.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    /** TEST-NET-3 (RFC 5737): never a real visitor's address. */
    private static void ip(StringBuilder b, SplittableRandom random) {
        b.append("203.0.113.").append(1 + random.nextInt(254));
    }

    private static String pick(String[] values, SplittableRandom random) {
        return values[random.nextInt(values.length)];
    }

    private static String[] domains() {
        String[] named = {"gmail", "outlook", "yahoo", "poczta", "onet", "wp", "interia", "o2", "eunet", "sbb",
            "mts", "btinternet", "eircom", "icloud", "proton", "gmx", "web", "aol", "zoho", "fastmail"};
        String[] domains = new String[DOMAIN_COUNT];
        for (int i = 0; i < DOMAIN_COUNT; i++) {
            domains[i] = (i < named.length ? named[i] : "mail" + (i - named.length + 1)) + ".example";
        }
        return domains;
    }
}
