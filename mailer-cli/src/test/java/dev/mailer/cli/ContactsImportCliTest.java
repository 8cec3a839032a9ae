package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code contacts import} of files from other tools (issue 14.1), through the command line against a
 * real PostgreSQL: Mailchimp's and listmonk's exports with their presets, then the gate's verdict on
 * the people imported; {@code --map} and {@code --map-file}; the exit code of an import that rejects
 * every row; reject reasons that are the same on every run, in this JVM and in others.
 */
class ContactsImportCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAILCHIMP_HEADER = "Email Address,First Name,Last Name,Company,MEMBER_RATING,"
            + "OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,"
            + "LAST_CHANGED,LEID,EUID,NOTES,TAGS";

    @TempDir
    Path dir;
    private CliRunner cli;
    private ShopFixture shop;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliRunner();
        shop = ShopFixture.create(dir, cli);
    }

    // ---------------------------------------------------------------- Mailchimp

    @Test
    void aMailchimpExportImportsWithThePresetInTheGivenZoneAndItsConfirmedPeopleAreEligible() throws Exception {
        Path subscribed = file("subscribed_members_export_1a2b3c.csv", MAILCHIMP_HEADER,
                // summer time in Warsaw (+02:00), confirmed, two tags
                "anna@example.com,Anna,Nowak,Kawiarnia,4,2025-06-01 12:00:00,192.0.2.10,2025-06-01 12:05:00,"
                        + "192.0.2.11,50.06,19.94,1,2,Europe/Warsaw,PL,MA,2025-06-02 08:00:00,123,abc,likes tea,"
                        + "\"\"\"customers\"\",\"\"vip\"\"\"",
                // winter time (+01:00), never confirmed, no last name
                "bob@example.com,Bob,,,2,2025-01-15 09:30:00,198.51.100.7,,,,,,,,,,2025-01-15 09:30:00,124,abd,,",
                // added by the account (no opt-in recorded at all): imported without consent
                "cleo@example.com,Cleo,Kowalska,,1,,,,,,,,,,,,2025-01-15 09:30:00,125,abe,,");

        CliRunner.Result result = cli.run("contacts", "import", subscribed.toString(), "--preset", "mailchimp",
                "--purpose", "newsletter", "--timezone", "Europe/Warsaw", "--source", "Mailchimp sign-up form",
                "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).isEmpty(); // no terminal: no progress bar
        assertThat(json(result).get("imported").asLong()).isEqualTo(3);
        assertThat(json(result).get("rejected").asLong()).isZero();
        assertThat(shop.rows("select email, name, tags::text, attributes::text from contact order by email"))
                .containsExactly(
                        List.of("anna@example.com", "Anna Nowak", "{customers,vip}", "{\"Company\": \"Kawiarnia\"}"),
                        List.of("bob@example.com", "Bob", "{}", "{}"),
                        List.of("cleo@example.com", "Cleo Kowalska", "{}", "{}"));
        assertThat(consents()).containsExactly(
                List.of("anna@example.com", "newsletter", "granted", "2025-06-01T10:00:00Z", "2025-06-01T10:05:00Z",
                        "192.0.2.10", "Mailchimp sign-up form"),
                List.of("bob@example.com", "newsletter", "granted", "2025-01-15T08:30:00Z", "-",
                        "198.51.100.7", "Mailchimp sign-up form"));

        // the unsubscribed file: a withdrawal at UNSUB_TIME; the cleaned file: nothing (exit 2, the reason says why)
        Path unsubscribed = file("unsubscribed_members_export_1a2b3c.csv", "Email Address,First Name,Last Name,"
                        + "MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,"
                        + "TIMEZONE,CC,REGION,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,"
                        + "UNSUB_REASON_OTHER,LAST_CHANGED,LEID,EUID,NOTES,TAGS",
                "dan@example.com,Dan,,3,2024-03-01 10:00:00,203.0.113.5,2024-03-01 10:02:00,203.0.113.5,,,,,,,,"
                        + "2025-02-01 18:00:00,March news,abc123,NORMAL,,2025-02-01 18:00:00,126,abf,,");
        CliRunner.Result unsub = cli.run("contacts", "import", unsubscribed.toString(), "--preset", "mailchimp",
                "--purpose", "newsletter", "--timezone", "Europe/Warsaw");
        assertThat(unsub.exitCode()).as(unsub.err()).isZero();
        assertThat(consents()).contains(List.of("dan@example.com", "newsletter", "withdrawn", "2025-02-01T17:00:00Z",
                "-", "-", "-"));
        Path cleaned = file("cleaned_members_export_1a2b3c.csv", "Email Address,First Name,Last Name,MEMBER_RATING,"
                        + "OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,"
                        + "CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LAST_CHANGED,LEID,EUID,NOTES,TAGS",
                "eve@example.com,Eve,,1,2024-03-01 10:00:00,,2024-03-01 10:02:00,,,,,,,,,2024-09-01 00:00:00,"
                        + "Autumn news,abc124,2024-09-01 00:00:00,127,abg,,");
        CliRunner.Result clean = cli.run("contacts", "import", cleaned.toString(), "--preset", "mailchimp",
                "--purpose", "newsletter", "--timezone", "Europe/Warsaw");
        assertThat(clean.exitCode()).isEqualTo(2);
        assertThat(clean.out()).contains("line 2: cleaned in Mailchimp (the address bounced): not imported");
        assertThat(shop.count("select count(*) from contact where email = 'eve@example.com'")).isZero();

        // who a newsletter may reach now: only the one who confirmed
        JsonNode dryRun = dryRun(shop.campaign("newsletter-mailchimp", null));
        assertThat(dryRun.get("considered").asLong()).isEqualTo(4);
        assertThat(dryRun.get("eligible").asLong()).isEqualTo(1);
        assertThat(dryRun.get("excluded").get("unconfirmed").asLong()).isEqualTo(1);      // bob
        assertThat(dryRun.get("excluded").get("no_consent").asLong()).isEqualTo(1);       // cleo
        assertThat(dryRun.get("excluded").get("consent_withdrawn").asLong()).isEqualTo(1); // dan

        // importing the same export again changes nothing
        CliRunner.Result again = cli.run("contacts", "import", subscribed.toString(), "--preset", "mailchimp",
                "--purpose", "newsletter", "--timezone", "Europe/Warsaw", "--source", "Mailchimp sign-up form",
                "--json");
        assertThat(json(again).get("unchanged").asLong()).isEqualTo(3);
    }

    @Test
    void theTestersExportWithoutAZoneIsRejectedNamingTheFixAndABadZoneIsAUsageError() throws Exception {
        Path export = file("members.csv", MAILCHIMP_HEADER,
                "anna@example.com,Anna,Nowak,,4,2025-06-01 12:00:00,192.0.2.10,,,,,,,,,,,,,,");

        CliRunner.Result noZone = cli.run("contacts", "import", export.toString(), "--preset", "mailchimp",
                "--purpose", "newsletter", "--json");
        assertThat(noZone.exitCode()).isEqualTo(2);
        assertThat(json(noZone).get("rejects").get(0).get("reason").asText())
                .isEqualTo("consent_at '2025-06-01 12:00:00' has no time zone: give --timezone ZONE");
        assertThat(noZone.err()).contains("Nothing imported: the only row was rejected");

        CliRunner.Result badZone = cli.run("contacts", "import", export.toString(), "--preset", "mailchimp",
                "--purpose", "newsletter", "--timezone", "Europe/Warsw");
        assertThat(badZone.exitCode()).isEqualTo(2);
        assertThat(badZone.err().strip()).isEqualTo("Unknown time zone 'Europe/Warsw' for --timezone (expected an"
                + " IANA name such as Europe/Warsaw, or UTC).");
        assertThat(shop.count("select count(*) from contact")).isZero();

        CliRunner.Result badPreset = cli.run("contacts", "import", export.toString(), "--preset", "constantcontact");
        assertThat(badPreset.exitCode()).isEqualTo(2);
        assertThat(badPreset.err()).contains("Unknown --preset 'constantcontact' (expected mailchimp or listmonk)");
    }

    // ---------------------------------------------------------------- listmonk

    @Test
    void aListmonkExportImportsWithThePresetAndItsStatusesDecideWhoMayBeMailed() throws Exception {
        // listmonk's own export: uuid, email, name, attributes, status, created_at, updated_at (Go's time format)
        Path export = file("subscribers.csv", "uuid,email,name,attributes,status,created_at,updated_at",
                "5d1c2f1e-0000-4000-8000-000000000001,anna@example.com,Anna Nowak,"
                        + "\"{\"\"city\"\": \"\"Kraków\"\", \"\"plan\"\": {\"\"tier\"\": \"\"gold\"\"}, \"\"age\"\": 34}\","
                        + "enabled,2025-06-01 12:00:00.123456 +0200 CEST,2025-06-02 08:00:00 +0200 CEST",
                "5d1c2f1e-0000-4000-8000-000000000002,bob@example.com,Bob,{},blocklisted,"
                        + "2024-01-10 09:00:00 +0000 UTC,2025-03-04 10:11:12.5 +0000 UTC",
                "5d1c2f1e-0000-4000-8000-000000000003,carl@example.com,Carl,{},disabled,"
                        + "2024-01-10 09:00:00 +0000 UTC,2024-05-01 09:00:00 +0000 UTC",
                "5d1c2f1e-0000-4000-8000-000000000004,dora@example.com,Dora,not json,enabled,"
                        + "2024-01-10 09:00:00 +0000 UTC,2024-05-01 09:00:00 +0000 UTC");

        CliRunner.Result result = cli.run("contacts", "import", export.toString(), "--preset", "listmonk",
                "--purpose", "newsletter", "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode json = json(result);
        assertThat(json.get("imported").asLong()).isEqualTo(3);
        assertThat(json.get("rejects").get(0).get("line").asLong()).isEqualTo(5);
        assertThat(json.get("rejects").get(0).get("reason").asText()).isEqualTo("attributes is not a JSON object");
        assertThat(shop.rows("select email, name, attributes::text from contact order by email")).containsExactly(
                List.of("anna@example.com", "Anna Nowak", "{\"age\": \"34\", \"city\": \"Kraków\", \"plan\": "
                        + "\"{\\\"tier\\\":\\\"gold\\\"}\"}"),
                List.of("bob@example.com", "Bob", "{}"),
                List.of("carl@example.com", "Carl", "{}"));
        assertThat(consents()).containsExactly(
                List.of("anna@example.com", "newsletter", "granted", "2025-06-01T10:00:00.123456Z", "-", "-", "-"),
                List.of("bob@example.com", "*", "withdrawn", "2025-03-04T10:11:12.500Z", "-", "-", "-"));

        // a list whose subscriptions need no confirmation: anna may be mailed, bob asked for nothing, carl has no consent
        Path singleOptIn = Files.writeString(dir.resolve("single.yaml"), """
                name: single-opt-in
                purpose: newsletter
                template: newsletter
                from: "Kawiarnia Nowak <news@kawiarnia.example>"
                require-confirmed: false
                """);
        JsonNode dryRun = dryRun(singleOptIn);
        assertThat(dryRun.get("eligible").asLong()).isEqualTo(1);
        assertThat(dryRun.get("excluded").get("suppressed_unsubscribed").asLong()).isEqualTo(1);
        assertThat(dryRun.get("excluded").get("no_consent").asLong()).isEqualTo(1);
        // double opt-in required: listmonk's export does not say anna confirmed
        assertThat(dryRun(shop.campaign("double-opt-in", null)).get("excluded").get("unconfirmed").asLong())
                .isEqualTo(1);
    }

    @Test
    void aListmonkFileWithSubscriptionStatusesMapsEachOfThem() throws Exception {
        Path export = file("list-3.csv", "uuid,email,name,attributes,status,created_at,updated_at,subscription_status",
                "u1,dan@example.com,Dan,{},enabled,2025-01-10 09:00:00 +0000 UTC,2025-01-10 09:00:00 +0000 UTC,confirmed",
                "u2,eve@example.com,Eve,{},enabled,2025-01-10 09:00:00 +0000 UTC,2025-01-10 09:00:00 +0000 UTC,"
                        + "unsubscribed",
                "u3,fay@example.com,Fay,{},enabled,2025-01-10 09:00:00 +0000 UTC,2025-01-10 09:00:00 +0000 UTC,"
                        + "unconfirmed",
                "u4,gus@example.com,Gus,{},enabled,2025-01-10 09:00:00 +0000 UTC,2025-01-10 09:00:00 +0000 UTC,maybe");

        CliRunner.Result result = cli.run("contacts", "import", export.toString(), "--preset", "listmonk",
                "--purpose", "newsletter", "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(json(result).get("rejects").get(0).get("reason").asText())
                .isEqualTo("unknown subscription_status 'maybe' (expected confirmed, unconfirmed or unsubscribed)");
        List<List<String>> consents = consents();
        assertThat(consents).hasSize(3);
        assertThat(consents.get(0)).isEqualTo(List.of("dan@example.com", "newsletter", "granted",
                "2025-01-10T09:00:00Z", "2025-01-10T09:00:00Z", "-", "-"));
        assertThat(consents.get(1).subList(0, 3)).isEqualTo(List.of("eve@example.com", "newsletter", "withdrawn"));
        assertThat(consents.get(2)).isEqualTo(List.of("fay@example.com", "newsletter", "granted",
                "2025-01-10T09:00:00Z", "-", "-", "-"));

        JsonNode dryRun = dryRun(shop.campaign("newsletter-listmonk", null));
        assertThat(dryRun.get("eligible").asLong()).isEqualTo(1);
        assertThat(dryRun.get("excluded").get("consent_withdrawn").asLong()).isEqualTo(1);
        assertThat(dryRun.get("excluded").get("unconfirmed").asLong()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- --map, --map-file

    @Test
    void mapAndMapFileNameTheColumnsOfAnyFileAlsoColumnsHoldingCommasAndEquals() throws Exception {
        String header = "E-mail,\"Name, first\",\"Name, last\",Signed up (UTC),a=b,Internal id";
        String row = "anna@example.com,Anna,Nowak,2025-06-01T10:00:00Z,x,42";

        Path csv = file("old-tool.csv", header, row);
        CliRunner.Result mapped = cli.run("contacts", "import", csv.toString(), "--map",
                "E-mail=email,\"Name, first\"=name,\"Name, last\"=name", "--map",
                "Signed up (UTC)=consent_at,\"a=b\"=attribute:ab,Internal id=-", "--purpose", "newsletter", "--json");
        assertThat(mapped.exitCode()).as(mapped.err()).isZero();
        assertThat(json(mapped).get("imported").asLong()).isEqualTo(1);
        List<List<String>> viaMap = shop.rows("select email, name, attributes::text from contact");
        assertThat(viaMap).containsExactly(List.of("anna@example.com", "Anna Nowak", "{\"ab\": \"x\"}"));
        assertThat(consents()).containsExactly(
                List.of("anna@example.com", "newsletter", "granted", "2025-06-01T10:00:00Z", "-", "-", "-"));

        Path map = Files.writeString(dir.resolve("old-tool.map"), """
                # the old tool's columns
                E-mail = email
                Name, first = name
                "Name, last" = name

                Signed up (UTC) = consent_at
                "a=b" = attribute:ab
                Internal id = -
                """, StandardCharsets.UTF_8);
        Path other = file("old-tool-2.csv", header, row.replace("anna@", "bob@").replace("Anna", "Bob"));
        CliRunner.Result viaFile = cli.run("contacts", "import", other.toString(), "--map-file", map.toString(),
                "--purpose", "newsletter", "--json");
        assertThat(viaFile.exitCode()).as(viaFile.err()).isZero();
        assertThat(shop.rows("select email, name, attributes::text from contact where email like 'bob%'"))
                .containsExactly(List.of("bob@example.com", "Bob Nowak", "{\"ab\": \"x\"}"));
    }

    @Test
    void aPresetColumnCanBeOverriddenWithMap() throws Exception {
        Path export = file("members.csv", MAILCHIMP_HEADER,
                "anna@example.com,Anna,Nowak,Kawiarnia,4,2025-06-01 12:00:00,192.0.2.10,,,,,,,,,,,,,likes tea,");

        CliRunner.Result result = cli.run("contacts", "import", export.toString(), "--preset", "mailchimp",
                "--map", "NOTES=attribute:notes,Company=-,Last Name=-", "--purpose", "newsletter", "--timezone", "UTC");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(shop.rows("select name, attributes::text from contact"))
                .containsExactly(List.of("Anna", "{\"notes\": \"likes tea\"}"));
    }

    @Test
    void mapMistakesAreOneSentenceWithExitTwoAndWriteNothing() throws Exception {
        Path csv = file("old-tool.csv", "E-mail,First name", "anna@example.com,Anna");

        CliRunner.Result unknownTarget = cli.run("contacts", "import", csv.toString(), "--map",
                "E-mail=email,First name=fname");
        assertThat(unknownTarget.exitCode()).isEqualTo(2);
        assertThat(unknownTarget.err().strip()).startsWith("--map 'First name=fname': unknown target column 'fname'"
                + " (expected one of email, name, locale, tags, birth_date, consent_purpose,")
                .endsWith("attribute:NAME for an attribute; - to leave the column out).")
                .doesNotContain("\n");

        CliRunner.Result missingSource = cli.run("contacts", "import", csv.toString(), "--map",
                "Email Address=email");
        assertThat(missingSource.exitCode()).isEqualTo(2);
        assertThat(missingSource.err().strip()).isEqualTo("old-tool.csv line 1: --map 'Email Address=email' names"
                + " column 'Email Address', which is not in the header (found: E-mail, First name).");

        Path map = Files.writeString(dir.resolve("bad.map"), "E-mail=email\nFirst name\n");
        CliRunner.Result badLine = cli.run("contacts", "import", csv.toString(), "--map-file", map.toString());
        assertThat(badLine.exitCode()).isEqualTo(2);
        assertThat(badLine.err()).startsWith("map file bad.map line 2: expected Source=target");

        CliRunner.Result twice = cli.run("contacts", "import", csv.toString(), "--map", "E-mail=email,First name=email");
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("both 'E-mail' and 'First name' would give email");

        CliRunner.Result noHeaderEmail = cli.run("contacts", "import", csv.toString());
        assertThat(noHeaderEmail.exitCode()).isEqualTo(2);
        assertThat(noHeaderEmail.err()).contains("the header has no 'email' column (found: E-mail, First name);"
                + " name the address column with --map 'COLUMN=email'");

        Path withPurpose = file("with-purpose.csv", "email,consent_purpose", "anna@example.com,offers");
        CliRunner.Result purposeTwice = cli.run("contacts", "import", withPurpose.toString(), "--purpose", "newsletter");
        assertThat(purposeTwice.exitCode()).isEqualTo(2);
        assertThat(purposeTwice.err().strip()).isEqualTo("with-purpose.csv has a consent_purpose column; --purpose is"
                + " for files without one.");
        assertThat(shop.count("select count(*) from contact")).isZero();
    }

    // ---------------------------------------------------------------- all rejected; the same reason every run

    /** The tester's file: the columns renamed by hand, no purpose, times without a zone. */
    private Path renamedByHand() throws IOException {
        StringBuilder rows = new StringBuilder("email,name,consent_at,consent_ip,confirmed_at\n");
        for (int i = 0; i < 982; i++) {
            rows.append("person").append(i).append("@example.com,Person ").append(i)
                    .append(",2025-06-01T12:00:00Z,192.0.2.").append(i % 250).append(",2025-06-01T12:05:00Z\n");
        }
        return Files.writeString(dir.resolve("renamed.csv"), rows);
    }

    @Test
    void anImportThatRejectsEveryRowExitsTwoWithTheSummaryAndTheFix() throws Exception {
        Path file = renamedByHand();

        CliRunner.Result text = cli.run("contacts", "import", file.toString());
        assertThat(text.exitCode()).isEqualTo(2);
        assertThat(text.out()).startsWith("renamed.csv: 0 imported, 0 updated, 0 unchanged, 982 rejected")
                .contains("line 2: consent_at given without consent_purpose (person0@example.com)");
        assertThat(text.err().strip()).isEqualTo("Nothing imported: all 982 rows were rejected, the first (line 2)"
                + " for \"consent_at given without consent_purpose\"; give --purpose P to apply the file's consent"
                + " columns to one purpose.");

        CliRunner.Result json = cli.run("contacts", "import", file.toString(), "--json");
        assertThat(json.exitCode()).isEqualTo(2);
        assertThat(json(json).get("rejected").asLong()).isEqualTo(982);
        assertThat(json(json).get("imported").asLong()).isZero();

        CliRunner.Result fixed = cli.run("contacts", "import", file.toString(), "--purpose", "newsletter", "--json");
        assertThat(fixed.exitCode()).as(fixed.err()).isZero();
        assertThat(json(fixed).get("imported").asLong()).isEqualTo(982);

        // rows that are all known already are not "nothing imported"
        CliRunner.Result again = cli.run("contacts", "import", file.toString(), "--purpose", "newsletter");
        assertThat(again.exitCode()).isZero();
    }

    /**
     * A row whose consent columns have values but no purpose names the first of them in SPEC order.
     * The columns used to be checked in the iteration order of a {@code Set.of}, which a JVM picks at
     * start: the reason changed between runs. Child JVMs run it twice more, each with its own order.
     */
    @Test
    void theSameFileGivesTheSameRejectReasonsOnEveryRunAndInEveryJvm() throws Exception {
        Path file = Files.writeString(dir.resolve("no-purpose.csv"), """
                email,parental_consent,lawful_basis,confirmed_at,consent_text,consent_ip,consent_source,consent_at
                anna@example.com,true,consent,2025-06-01T12:05:00Z,v1,192.0.2.1,form,2025-06-01T12:00:00Z
                bob@example.com,true,consent,2025-06-01T12:05:00Z,v1,192.0.2.1,form,
                carl@example.com,true,,,,,,
                """);
        List<String> expected = List.of("consent_at given without consent_purpose",
                "consent_source given without consent_purpose", "parental_consent given without consent_purpose");

        List<List<String>> runs = new ArrayList<>();
        runs.add(reasons(cli.run("contacts", "import", file.toString(), "--json", "--strict").out()));
        runs.add(reasons(cli.run("contacts", "import", file.toString(), "--json", "--strict").out()));
        for (int i = 0; i < 2; i++) {
            try (MailerProcess child = MailerProcess.start(dir, "import-" + i, cli.env(), "contacts", "import",
                    file.toString(), "--json", "--strict", "--db", cli.dbUrl())) {
                assertThat(child.waitFor(Duration.ofSeconds(60))).as(child.output()).isEqualTo(2);
                runs.add(reasons(child.out()));
            }
        }
        assertThat(runs).allSatisfy(reasons -> assertThat(reasons).isEqualTo(expected));
    }

    // ---------------------------------------------------------------- the progress bar

    @Test
    void theProgressBarShowsHowFarIntoTheFileOnATerminalAndNothingWithoutOne() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        CliContext terminal = new CliContext(new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8), java.util.Map.of(),
                java.io.InputStream.nullInputStream(), true);
        ContactsImportCommand.Bar bar = new ContactsImportCommand.Bar(new Progress(terminal, "rows read"));
        bar.reading(120_000, 5_000_000, 10_000_000);
        bar.merging(240_000);
        bar.progress.done();
        String drawn = err.toString(StandardCharsets.UTF_8);
        assertThat(drawn).contains("120,000 rows read", "[==============>               ]  50%",
                "240,000 rows read", "[==============================] 100% merging into contacts and consent records")
                .endsWith("\r\033[K");

        java.io.ByteArrayOutputStream quiet = new java.io.ByteArrayOutputStream();
        CliContext cron = new CliContext(new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(quiet, true, StandardCharsets.UTF_8), java.util.Map.of(),
                java.io.InputStream.nullInputStream(), false);
        ContactsImportCommand.Bar none = new ContactsImportCommand.Bar(new Progress(cron, "rows read"));
        none.reading(120_000, 5_000_000, 10_000_000);
        none.merging(240_000);
        none.progress.done();
        assertThat(quiet.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(ContactsImportCommand.Bar.bar(0)).isEqualTo("[                              ]   0%");
    }

    // ================================================================ helpers

    private Path file(String name, String header, String... rows) throws IOException {
        StringBuilder text = new StringBuilder(header).append('\n');
        for (String row : rows) {
            text.append(row).append('\n');
        }
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static JsonNode json(CliRunner.Result result) throws IOException {
        return JSON.readTree(result.out());
    }

    private static List<String> reasons(String json) throws IOException {
        List<String> reasons = new ArrayList<>();
        JSON.readTree(json).get("rejects").forEach(r -> reasons.add(r.get("reason").asText()));
        return reasons;
    }

    private JsonNode dryRun(Path campaign) throws IOException {
        CliRunner.Result result = cli.run("send", campaign.toString(), "--dry-run", "--json", "--config",
                shop.config().toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        return json(result);
    }

    /** Every consent record: email, purpose, status, consent_at and confirmed_at (UTC), ip, source ("-" = none). */
    private List<List<String>> consents() throws SQLException {
        return shop.rows("select c.email, r.purpose, r.status,"
                + " to_char(r.consent_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
                + " coalesce(to_char(r.confirmed_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '-'),"
                + " coalesce(r.ip, '-'), coalesce(r.source, '-')"
                + " from consent_record r join contact c on c.id = r.contact_id order by c.email, r.id")
                .stream().map(row -> row.stream().map(ContactsImportCliTest::trimMicros).toList()).toList();
    }

    /** 2025-06-01T10:00:00.000000Z → 2025-06-01T10:00:00Z; 10:11:12.500000Z → 10:11:12.500Z. */
    private static String trimMicros(String value) {
        if (!value.endsWith("Z") || !value.contains(".")) {
            return value;
        }
        String fraction = value.substring(value.indexOf('.') + 1, value.length() - 1).replaceAll("0+$", "");
        String base = value.substring(0, value.indexOf('.'));
        if (fraction.isEmpty()) {
            return base + "Z";
        }
        return base + "." + (fraction.length() <= 3 ? (fraction + "00").substring(0, 3) : fraction) + "Z";
    }
}
