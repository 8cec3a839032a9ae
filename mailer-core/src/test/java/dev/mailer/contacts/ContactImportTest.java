package dev.mailer.contacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.TestDatabase;
import dev.mailer.subject.DataSubject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code contacts import} (SPEC §3) against a real PostgreSQL: one fresh database per test, what
 * was stored checked with plain SQL.
 */
class ContactImportTest {
    private static final String FULL_HEADER = "email,name,locale,tags,birth_date,consent_purpose,consent_status,"
            + "consent_at,consent_source,consent_ip,consent_text,confirmed_at,lawful_basis,parental_consent,plan,city";

    @TempDir
    Path dir;
    private TestDatabase db;

    @BeforeEach
    void openDatabase() {
        db = TestDatabase.fresh();
    }

    @AfterEach
    void closeDatabase() {
        db.close();
    }

    // ---------------------------------------------------------------- a normal import

    private Path normalFile() throws IOException {
        return csv("contacts.csv", FULL_HEADER,
                "anna@example.com,Anna Nowak,pl,customers; vip ;customers,1990-05-17,newsletter,granted,"
                        + "2025-03-01T10:15:00Z,https://kawiarnia.example/form,192.0.2.10,v3,2025-03-01T10:20:00+01:00,"
                        + "consent,false,gold,Kraków",
                "bob@example.com,,,,,,,,,,,,,,,",
                "carla@example.com,Carla,sr_Latn,,2012-01-02,Newsletter,,2025-04-01T08:00:00Z,,,,,,true,,",
                "dan@example.com,Dan,en,customers,,offers,withdrawn,2025-05-01T12:00:00+02:00,checkout,2001:db8::1,,,"
                        + "existing_customer,,silver,",
                "not-an-address,X,,,,,,,,,,,,,,");
    }

    @Test
    void importsContactsTagsAttributesAndConsentWithItsProof() throws Exception {
        ImportResult result = run(normalFile());

        assertThat(result).isEqualTo(new ImportResult(4, 0, 0, 1,
                List.of(new Reject(6, "not-an-address", "invalid e-mail address")), false, false));
        assertThat(count("contact")).isEqualTo(4);

        Map<String, Object> anna = contact("anna@example.com");
        assertThat(anna).containsEntry("email", "anna@example.com")
                .containsEntry("name", "Anna Nowak")
                .containsEntry("locale", "pl")
                .containsEntry("tags", List.of("customers", "vip"))
                .containsEntry("birth_date", LocalDate.of(1990, 5, 17))
                .containsEntry("attributes", Map.of("plan", "gold", "city", "Kraków"));
        Map<String, Object> bob = contact("bob@example.com");
        assertThat(bob).containsEntry("name", null).containsEntry("locale", null).containsEntry("tags", List.of())
                .containsEntry("birth_date", null).containsEntry("attributes", Map.of());
        Map<String, Object> carla = contact("carla@example.com");
        assertThat(carla).containsEntry("name", "Carla").containsEntry("locale", "sr-Latn")
                .containsEntry("tags", List.of()).containsEntry("birth_date", LocalDate.of(2012, 1, 2))
                .containsEntry("attributes", Map.of());
        Map<String, Object> dan = contact("dan@example.com");
        assertThat(dan).containsEntry("locale", "en").containsEntry("tags", List.of("customers"))
                .containsEntry("attributes", Map.of("plan", "silver"));

        assertThat(consents("anna@example.com")).containsExactly(consent(
                "newsletter", "granted", "2025-03-01T10:15:00Z", "https://kawiarnia.example/form", "192.0.2.10",
                "v3", "2025-03-01T09:20:00Z", "consent", false, "import contacts.csv line 2"));
        assertThat(consents("bob@example.com")).isEmpty();
        assertThat(consents("carla@example.com")).containsExactly(consent(
                "newsletter", "granted", "2025-04-01T08:00:00Z", null, null, null, null, "consent", true,
                "import contacts.csv line 4"));
        assertThat(consents("dan@example.com")).containsExactly(consent(
                "offers", "withdrawn", "2025-05-01T10:00:00Z", "checkout", "2001:db8::1", null, null,
                "existing_customer", false, "import contacts.csv line 5"));
        assertThat(count("consent_record")).isEqualTo(3);

        List<Map<String, Object>> audit = db.maps("select actor, action, subject_hash, detail from audit_log");
        assertThat(audit).containsExactly(row("actor", "test", "action", "contacts.import", "subject_hash", null,
                "detail", Map.of("file", "contacts.csv", "imported", 4, "updated", 0, "unchanged", 0, "rejected", 1)));
    }

    @Test
    void reimportingTheSameFileChangesNothing() throws Exception {
        Path file = normalFile();
        run(file);
        List<Map<String, Object>> contactsBefore = db.maps("select * from contact order by id");
        List<Map<String, Object>> consentsBefore = db.maps("select * from consent_record order by id");

        ImportResult again = run(file);

        assertThat(again).isEqualTo(new ImportResult(0, 0, 4, 1,
                List.of(new Reject(6, "not-an-address", "invalid e-mail address")), false, false));
        assertThat(db.maps("select * from contact order by id")).isEqualTo(contactsBefore);
        assertThat(db.maps("select * from consent_record order by id")).isEqualTo(consentsBefore);
    }

    @Test
    void reimportingADatedHistoryIsIdempotent() throws Exception {
        Path file = csv("history.csv", "email,consent_purpose,consent_status,consent_at,consent_source",
                "anna@example.com,newsletter,granted,2024-01-10T09:00:00Z,form",
                "anna@example.com,newsletter,withdrawn,2024-06-01T18:30:00Z,form");

        assertThat(run(file)).isEqualTo(new ImportResult(1, 1, 0, 0, List.of(), false, false));
        List<Map<String, Object>> history = consents("anna@example.com");
        assertThat(history).containsExactly(
                consent("newsletter", "granted", "2024-01-10T09:00:00Z", "form", null, null, null, "consent", false,
                        "import history.csv line 2"),
                consent("newsletter", "withdrawn", "2024-06-01T18:30:00Z", "form", null, null, null, "consent", false,
                        "import history.csv line 3"));
        Object updatedAt = contact("anna@example.com").get("updated_at");

        assertThat(run(file)).isEqualTo(new ImportResult(0, 0, 2, 0, List.of(), false, false));
        assertThat(run(file)).isEqualTo(new ImportResult(0, 0, 2, 0, List.of(), false, false));
        assertThat(consents("anna@example.com")).isEqualTo(history);
        assertThat(contact("anna@example.com").get("updated_at")).isEqualTo(updatedAt);
    }

    @Test
    void aDatedGrantThenAnUndatedWithdrawalIsIdempotent() throws Exception {
        Path file = csv("mixed.csv", "email,consent_purpose,consent_status,consent_at,consent_source",
                "anna@example.com,newsletter,granted,2024-01-10T09:00:00Z,form",
                "anna@example.com,newsletter,withdrawn,,phone");

        assertThat(run(file)).isEqualTo(new ImportResult(1, 1, 0, 0, List.of(), false, false));
        List<Map<String, Object>> history = consents("anna@example.com");
        assertThat(history).hasSize(2);
        assertThat(run(file)).isEqualTo(new ImportResult(0, 0, 2, 0, List.of(), false, false));
        assertThat(consents("anna@example.com")).isEqualTo(history);
    }

    @Test
    void anUndatedWithdrawalAfterANewerGrantInTheFileIsRecordedEvenIfAnOldWithdrawalIsStored() throws Exception {
        run(csv("old.csv", "email,consent_purpose,consent_status,consent_at,consent_source",
                "anna@example.com,newsletter,withdrawn,2020-01-01T00:00:00Z,phone"));
        ImportResult result = run(csv("new.csv", "email,consent_purpose,consent_status,consent_at,consent_source",
                "anna@example.com,newsletter,granted,2024-01-10T09:00:00Z,phone",
                "anna@example.com,newsletter,withdrawn,,phone"));

        assertThat(result).isEqualTo(new ImportResult(0, 2, 0, 0, List.of(), false, false));
        List<Map<String, Object>> history = consents("anna@example.com");
        assertThat(history).hasSize(3);
        assertThat(history.get(2)).containsEntry("status", "withdrawn").containsEntry("recorded_via",
                "import new.csv line 3");
    }

    @Test
    void undatedRowsThatRepeatTheLatestStatementAddNothing() throws Exception {
        run(csv("first.csv", "email,name,consent_purpose,consent_at,consent_source,consent_text",
                "anna@example.com,Anna,newsletter,2024-01-10T09:00:00Z,form,v1"));
        Object updatedAt = contact("anna@example.com").get("updated_at");

        Instant before = now();
        Path undated = csv("undated.csv", "email,name,consent_purpose,consent_status,consent_source,consent_text",
                "anna@example.com,Anna,newsletter,,form,v1",            // repeats the stored grant
                "anna@example.com,Anna,newsletter,granted,form,v1",     // and again
                "anna@example.com,Anna,offers,,checkout,",              // a new purpose
                "anna@example.com,Anna,offers,granted,checkout,");       // repeats the row above
        ImportResult result = run(undated);
        Instant after = now();

        assertThat(result).isEqualTo(new ImportResult(0, 1, 3, 0, List.of(), false, false));
        List<Map<String, Object>> history = consents("anna@example.com");
        assertThat(history).hasSize(2);
        assertThat(history.get(0)).containsEntry("purpose", "newsletter").containsEntry("recorded_via",
                "import first.csv line 2");
        assertThat(history.get(1)).containsEntry("purpose", "offers").containsEntry("status", "granted")
                .containsEntry("source", "checkout").containsEntry("recorded_via", "import undated.csv line 4");
        // an empty consent_at means the import time
        assertThat((Instant) history.get(1).get("consent_at")).isBetween(before, after);
        assertThat(contact("anna@example.com").get("updated_at")).isEqualTo(updatedAt);

        assertThat(run(undated)).isEqualTo(new ImportResult(0, 0, 4, 0, List.of(), false, false));
        assertThat(consents("anna@example.com")).isEqualTo(history);
    }

    @Test
    void aChangedUndatedStatementIsAppended() throws Exception {
        run(csv("first.csv", "email,consent_purpose,consent_at,consent_source",
                "anna@example.com,newsletter,2024-01-10T09:00:00Z,form"));

        ImportResult result = run(csv("second.csv", "email,consent_purpose,consent_source",
                "anna@example.com,newsletter,paper form"));

        assertThat(result).isEqualTo(new ImportResult(0, 1, 0, 0, List.of(), false, false));
        assertThat(consents("anna@example.com")).extracting(r -> r.get("source")).containsExactly("form",
                "paper form");
    }

    // ---------------------------------------------------------------- history is append-only

    @Test
    void consentHistoryIsAppendOnly() throws Exception {
        run(csv("granted.csv", "email,consent_purpose,consent_status,consent_at,consent_source",
                "anna@example.com,newsletter,granted,2024-01-10T09:00:00Z,form"));

        ImportResult result = run(csv("withdrawn.csv", "email,consent_purpose,consent_status,consent_at",
                "anna@example.com,newsletter,withdrawn,2024-09-01T12:00:00Z"));

        assertThat(result).isEqualTo(new ImportResult(0, 1, 0, 0, List.of(), false, false));
        assertThat(consents("anna@example.com")).containsExactly(
                consent("newsletter", "granted", "2024-01-10T09:00:00Z", "form", null, null, null, "consent", false,
                        "import granted.csv line 2"),
                consent("newsletter", "withdrawn", "2024-09-01T12:00:00Z", null, null, null, null, "consent", false,
                        "import withdrawn.csv line 2"));

        assertThatThrownBy(() -> db.execute("update consent_record set status = 'granted'"))
                .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
        assertThatThrownBy(() -> db.execute("delete from consent_record"))
                .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
        assertThat(count("consent_record")).isEqualTo(2);
    }

    // ---------------------------------------------------------------- several rows, one person

    @Test
    void severalRowsForOneAddressInANewContact() throws Exception {
        ImportResult result = run(csv("rows.csv", "email,name,tags,consent_purpose,city",
                "anna@example.com,Anna,a,newsletter,Gdańsk",
                "ANNA@example.com,Anna N.,b,offers,Warszawa",
                "anna@example.com,Anna Nowak,c;d,,Kraków"));

        assertThat(result).isEqualTo(new ImportResult(1, 1, 1, 0, List.of(), false, false));
        assertThat(count("contact")).isEqualTo(1);
        assertThat(contact("anna@example.com")).containsEntry("email", "anna@example.com")
                .containsEntry("name", "Anna Nowak").containsEntry("tags", List.of("c", "d"))
                .containsEntry("attributes", Map.of("city", "Kraków"));
        assertThat(consents("anna@example.com")).extracting(r -> r.get("purpose") + " " + r.get("recorded_via"))
                .containsExactly("newsletter import rows.csv line 2", "offers import rows.csv line 3");
    }

    @Test
    void severalRowsForOneAddressInAKnownContact() throws Exception {
        run(csv("first.csv", "email,name,consent_purpose", "anna@example.com,Anna,newsletter"));

        ImportResult result = run(csv("second.csv", "email,name,consent_purpose",
                "anna@example.com,Anna B,newsletter",  // repeats the stored consent, name not the last
                "anna@example.com,Anna C,"));          // the last row: changes the name

        assertThat(result).isEqualTo(new ImportResult(0, 1, 1, 0, List.of(), false, false));
        assertThat(contact("anna@example.com")).containsEntry("name", "Anna C");
        assertThat(count("consent_record")).isEqualTo(1);
    }

    @Test
    void aChangedFieldUpdatesAKnownContactAndAbsentColumnsLeaveFieldsAlone() throws Exception {
        run(csv("first.csv", "email,name,locale,tags,birth_date,plan",
                "anna@example.com,Anna,pl,customers,1990-05-17,gold"));
        Map<String, Object> before = contact("anna@example.com");

        ImportResult result = run(csv("second.csv", "email,city", "anna@example.com,Kraków"));

        assertThat(result).isEqualTo(new ImportResult(0, 1, 0, 0, List.of(), false, false));
        Map<String, Object> after = contact("anna@example.com");
        assertThat(after).containsEntry("name", "Anna").containsEntry("locale", "pl")
                .containsEntry("tags", List.of("customers")).containsEntry("birth_date", LocalDate.of(1990, 5, 17))
                .containsEntry("attributes", Map.of("plan", "gold", "city", "Kraków"));
        assertThat((Instant) after.get("updated_at")).isAfter((Instant) before.get("updated_at"));

        assertThat(run(csv("third.csv", "email,name,locale", "anna@example.com,,")))
                .isEqualTo(new ImportResult(0, 1, 0, 0, List.of(), false, false));
        assertThat(contact("anna@example.com")).containsEntry("name", null).containsEntry("locale", null)
                .containsEntry("tags", List.of("customers"));
    }

    @Test
    void aRowWithoutConsentColumnsImportsTheContactWithNoConsent() throws Exception {
        ImportResult result = run(csv("bought.csv", "email,name", "anna@example.com,Anna", "bob@example.com,Bob"));

        assertThat(result).isEqualTo(new ImportResult(2, 0, 0, 0, List.of(), false, false));
        assertThat(count("contact")).isEqualTo(2);
        assertThat(count("consent_record")).isZero();
    }

    // ---------------------------------------------------------------- the file format

    @ParameterizedTest
    @ValueSource(strings = {"email,name", "\"email\",\"name\"", "EMAIL , Name"})
    void aUtf8ByteOrderMarkAtTheStartIsIgnored(String header) throws Exception {
        Path file = bytes("bom.csv", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                (header + "\nanna@example.com,Anna\n").getBytes(StandardCharsets.UTF_8));

        ImportResult result = run(file);

        assertThat(result).isEqualTo(new ImportResult(1, 0, 0, 0, List.of(), false, false));
        assertThat(contact("anna@example.com")).containsEntry("email", "anna@example.com")
                .containsEntry("name", "Anna").containsEntry("attributes", Map.of());
    }

    @ParameterizedTest(name = "[{index}] line break {0}, final line break {1}")
    @CsvSource({"LF, true", "LF, false", "CRLF, true", "CRLF, false"})
    void quotedCommasAndLineBreaksAndTheLinesOfRowsAfterThem(String eol, boolean finalBreak) throws Exception {
        String nl = eol.equals("LF") ? "\n" : "\r\n";
        String text = String.join(nl,
                "email,name,note",                                 // 1
                "anna@example.com,\"Nowak, Anna\",\"first line",    // 2
                "second line, with a comma\"",                     // 3
                "bad-address,Bad,x",                               // 4
                "bob@example.com,\"Bob \"\"B\"\" Smith\",\"a",       // 5
                "",                                                // 6
                "b\"",                                             // 7
                "",                                                // 8 (an empty line between rows)
                "carl@example.com,\"Carl",                          // 9
                "Smith\",x",                                       // 10
                "dan@example.com,Dan,too,many",                    // 11
                "eve@example.com,\"E\",\"x,",                        // 12
                "y\"");                                            // 13
        Path file = bytes("multi.csv", (text + (finalBreak ? nl : "")).getBytes(StandardCharsets.UTF_8));

        ImportResult result = run(file);

        assertThat(result.rejects()).containsExactly(
                new Reject(4, "bad-address", "invalid e-mail address"),
                new Reject(9, "carl@example.com", "name contains control characters (line breaks or similar)"),
                new Reject(11, "dan@example.com", "has 4 fields where the header has 3"));
        assertThat(result).isEqualTo(new ImportResult(3, 0, 0, 3, result.rejects(), false, false));
        assertThat(contact("anna@example.com")).containsEntry("name", "Nowak, Anna")
                .containsEntry("attributes", Map.of("note", "first line" + nl + "second line, with a comma"));
        assertThat(contact("bob@example.com")).containsEntry("name", "Bob \"B\" Smith")
                .containsEntry("attributes", Map.of("note", "a" + nl + nl + "b"));
        assertThat(contact("eve@example.com")).containsEntry("attributes", Map.of("note", "x," + nl + "y"));
    }

    @Test
    void raggedRowsAreRejectedWithTheirLine() throws Exception {
        ImportResult result = run(csv("ragged.csv", "email,name,city",
                "anna@example.com,Anna",
                "bob@example.com,Bob,Kraków,extra",
                "carl@example.com,Carl,Gdańsk",
                "dan@example.com",
                "eve@example.com,,,,,"));

        assertThat(result).isEqualTo(new ImportResult(1, 0, 0, 4, List.of(
                new Reject(2, "anna@example.com", "has 2 fields where the header has 3"),
                new Reject(3, "bob@example.com", "has 4 fields where the header has 3"),
                new Reject(5, "dan@example.com", "has 1 fields where the header has 3"),
                new Reject(6, "eve@example.com", "has 6 fields where the header has 3")), false, false));
        assertThat(db.maps("select email from contact")).containsExactly(row("email", "carl@example.com"));
    }

    @Test
    void aOneMegabyteFieldIsRejectedCleanly() throws Exception {
        String huge = "x".repeat(1024 * 1024);
        Path file = csv("huge.csv", "email,name,note",
                "anna@example.com,Anna,a",
                "bob@example.com,\"" + huge + "\",b",
                "carl@example.com,Carl," + huge,
                huge + "@example.com,Dan,d",
                "eve@example.com,Eve,e");

        ImportResult result = run(file);

        assertThat(result).isEqualTo(new ImportResult(2, 0, 0, 3, List.of(
                new Reject(3, "bob@example.com", "a field is longer than 10000 characters"),
                new Reject(4, "carl@example.com", "a field is longer than 10000 characters"),
                new Reject(5, "x".repeat(60) + "...", "a field is longer than 10000 characters")), false, false));
        assertThat(db.maps("select email from contact order by email"))
                .containsExactly(row("email", "anna@example.com"), row("email", "eve@example.com"));
    }

    @Test
    void invalidUtf8RejectsOnlyThatRow() throws Exception {
        Path file = bytes("latin2.csv",
                "email,name\nanna@example.com,Anna\nbob@example.com,".getBytes(StandardCharsets.UTF_8),
                new byte[] {'B', (byte) 0xB3, 'a', 'd', (byte) 0xC3, '(', 'x'}, // ISO-8859-2 'ł', a broken sequence
                "\ncarl@example.com,Carl Żółw\n".getBytes(StandardCharsets.UTF_8),
                new byte[] {'d', 'a', 'n', (byte) 0xFF, '@', 'e', 'x', '.', 'c', 'o', 'm', ',', 'D', '\n'},
                "eve@example.com,Eve\n".getBytes(StandardCharsets.UTF_8));

        ImportResult result = run(file);

        assertThat(result).isEqualTo(new ImportResult(3, 0, 0, 2, List.of(
                new Reject(3, "bob@example.com", "not valid UTF-8"),
                new Reject(5, "dan\uFFFD@ex.com", "not valid UTF-8")), false, false));
        assertThat(contact("carl@example.com")).containsEntry("name", "Carl Żółw");
        assertThat(count("contact")).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2025-03-01T10:15:00Z"})
    void tenIdenticalRowsMakeOneContactAndOneConsentRecord(String consentAt) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add("anna@example.com,Anna,newsletter," + consentAt + ",form");
        }
        ImportResult result = run(csv("ten.csv", "email,name,consent_purpose,consent_at,consent_source",
                rows.toArray(String[]::new)));

        assertThat(result).isEqualTo(new ImportResult(1, 0, 9, 0, List.of(), false, false));
        assertThat(count("contact")).isEqualTo(1);
        assertThat(consents("anna@example.com")).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("recorded_via", "import ten.csv line 2"));
    }

    @Test
    void addressesAreTrimmedAndMatchedCaseInsensitively() throws Exception {
        run(csv("first.csv", "email,name", "anna@example.com,Anna"));
        long id = (Long) contact("anna@example.com").get("id");

        ImportResult result = run(csv("second.csv", "email,name,consent_purpose",
                "  ANNA@Example.COM  ,Anna,newsletter",
                "\" Bob@Example.com\t\",Bob,",
                "bob@EXAMPLE.com,Bob,"));

        assertThat(result).isEqualTo(new ImportResult(1, 1, 1, 0, List.of(), false, false));
        assertThat(count("contact")).isEqualTo(2);
        Map<String, Object> anna = contact("anna@example.com");
        assertThat(anna.get("id")).isEqualTo(id);
        assertThat((String) anna.get("email")).isEqualToIgnoringCase("anna@example.com");
        assertThat(consents("anna@example.com")).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("recorded_via", "import second.csv line 2"));
        assertThat((String) contact("bob@example.com").get("email")).isEqualToIgnoringCase("bob@example.com");
    }

    @Test
    void internationalizedDomainsAreStoredNormalized() throws Exception {
        assertThat(run(csv("idn.csv", "email,name", "jürgen@bücher.example,Jürgen")))
                .isEqualTo(new ImportResult(1, 0, 0, 0, List.of(), false, false));
        assertThat(db.maps("select email, email_norm from contact"))
                .containsExactly(row("email", "jürgen@bücher.example", "email_norm", "jürgen@xn--bcher-kva.example"));

        ImportResult again = run(csv("ascii.csv", "email,name,consent_purpose",
                "JÜRGEN@xn--bcher-kva.example,Jürgen,newsletter"));

        assertThat(again).isEqualTo(new ImportResult(0, 1, 0, 0, List.of(), false, false));
        assertThat(count("contact")).isEqualTo(1);
        assertThat(consents("jürgen@xn--bcher-kva.example")).hasSize(1);
    }

    @Test
    void markupInFieldsIsStoredVerbatim() throws Exception {
        String name = "<script>alert(\"x\")</script>";
        run(csv("markup.csv", "email,name,note",
                "anna@example.com,\"<script>alert(\"\"x\"\")</script>\",<b>&amp; 'quoted' \\ backslash</b>"));

        assertThat(contact("anna@example.com")).containsEntry("name", name)
                .containsEntry("attributes", Map.of("note", "<b>&amp; 'quoted' \\ backslash</b>"));
    }

    @Test
    void anUnterminatedQuoteFailsTheWholeImportWithItsLine() throws Exception {
        run(csv("first.csv", "email,name", "anna@example.com,Anna"));
        List<Map<String, Object>> contactsBefore = db.maps("select * from contact order by id");
        long auditBefore = count("audit_log");

        Path file = csv("broken.csv", "email,name,consent_purpose",
                "anna@example.com,Anna Changed,newsletter",
                "bob@example.com,Bob,newsletter",
                "carl@example.com,Carl,",
                "dan@example.com,\"Dan,newsletter",
                "eve@example.com,Eve,newsletter");

        MailerException e = catchThrowableOfType(MailerException.class, () -> run(file));

        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.INPUT_FILE);
        assertThat(e.getMessage()).startsWith("broken.csv line 5: ").doesNotContain("\n");
        assertThat(db.maps("select * from contact order by id")).isEqualTo(contactsBefore);
        assertThat(count("consent_record")).isZero();
        assertThat(count("audit_log")).isEqualTo(auditBefore);
    }

    @Test
    void anEmptyFileIsAUsageError() throws Exception {
        assertThatThrownBy(() -> run(bytes("empty.csv", new byte[0])))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INPUT_FILE))
                .hasMessageContaining("empty.csv is empty");
        assertThatThrownBy(() -> run(bytes("blank.csv", "\n\n".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INPUT_FILE))
                .hasMessageContaining("blank.csv is empty");
        assertThatThrownBy(() -> run(bytes("bom-only.csv", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF})))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INPUT_FILE))
                .hasMessageContaining("bom-only.csv is empty");
        assertThat(count("audit_log")).isZero();
    }

    @Test
    void aHeaderWithoutEmailIsAUsageError() throws Exception {
        assertThatThrownBy(() -> run(csv("noemail.csv", "name,e-mail", "Anna,anna@example.com")))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INPUT_FILE))
                .hasMessageContaining("noemail.csv line 1")
                .hasMessageContaining("no 'email' column");
        assertThat(count("contact")).isZero();
    }

    @Test
    void aHeaderWithoutRowsImportsNothing() throws Exception {
        assertThat(run(csv("header.csv", "email,name")))
                .isEqualTo(new ImportResult(0, 0, 0, 0, List.of(), false, false));
    }

    @Test
    void badRowsAreRejectedWithTheirReasonAndTheOthersImport() throws Exception {
        ImportResult result = run(csv("bad.csv",
                "email,birth_date,consent_purpose,consent_status,consent_at,lawful_basis,confirmed_at",
                "a1@example.com,,,granted,,,",                                  // 2
                "a2@example.com,1990-02-30,,,,,",                               // 3
                "a3@example.com,17.05.1990,,,,,",                               // 4
                "a4@example.com,,newsletter,maybe,,,",                          // 5
                "a5@example.com,,newsletter,,2999-01-01T00:00:00Z,,",           // 6
                "a6@example.com,,newsletter,,2025-03-01,,",                     // 7
                "a7@example.com,,newsletter,,2025-03-01T10:00:00,,",            // 8
                "a8@example.com,,newsletter,,,contract,",                       // 9
                ",,newsletter,,,,",                                             // 10
                "a9@example.com,,,,2025-03-01T10:00:00Z,,",                     // 11
                "a10@example.com,,newsletter,,,,yesterday",                     // 12
                "ok1@example.com,2000-01-01,newsletter,withdrawn,2025-03-01T10:00:00Z,consent,",
                "ok2@example.com,,newsletter,,,existing_customer,2025-03-01T10:00:00+01:00"));

        assertThat(result).isEqualTo(new ImportResult(2, 0, 0, 11, List.of(
                new Reject(2, "a1@example.com", "consent_status given without consent_purpose"),
                new Reject(3, "a2@example.com", "bad birth_date '1990-02-30' (expected YYYY-MM-DD)"),
                new Reject(4, "a3@example.com", "bad birth_date '17.05.1990' (expected YYYY-MM-DD)"),
                new Reject(5, "a4@example.com", "unknown consent_status 'maybe' (expected granted or withdrawn)"),
                new Reject(6, "a5@example.com", "consent_at '2999-01-01T00:00:00Z' is in the future"),
                new Reject(7, "a6@example.com", "bad consent_at '2025-03-01' (expected an ISO-8601 date-time with "
                        + "offset, e.g. 2025-03-01T10:15:00Z)"),
                new Reject(8, "a7@example.com", "consent_at '2025-03-01T10:00:00' has no time zone: give "
                        + "--timezone ZONE"),
                new Reject(9, "a8@example.com", "unknown lawful_basis 'contract' (expected consent or "
                        + "existing_customer)"),
                new Reject(10, "", "e-mail address is missing"),
                new Reject(11, "a9@example.com", "consent_at given without consent_purpose"),
                new Reject(12, "a10@example.com", "bad confirmed_at 'yesterday' (expected an ISO-8601 date-time "
                        + "with offset, e.g. 2025-03-01T10:15:00Z)")), false, false));
        assertThat(db.maps("select email from contact order by email"))
                .containsExactly(row("email", "ok1@example.com"), row("email", "ok2@example.com"));
        assertThat(consents("ok2@example.com")).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("lawful_basis", "existing_customer")
                .containsEntry("confirmed_at", Instant.parse("2025-03-01T09:00:00Z")));
    }

    // ---------------------------------------------------------------- --strict

    @Test
    void strictImportAbortsOnABadRowAndWritesNothing() throws Exception {
        run(csv("first.csv", "email,name,consent_purpose", "anna@example.com,Anna,newsletter"));
        List<Map<String, Object>> contactsBefore = db.maps("select * from contact order by id");
        List<Map<String, Object>> consentsBefore = db.maps("select * from consent_record order by id");
        long auditBefore = count("audit_log");

        ImportResult result = run(csv("strict.csv", "email,name,consent_purpose,consent_status",
                "anna@example.com,Anna Changed,offers,",
                "bob@example.com,Bob,newsletter,",
                "bad@,Bad,,",
                "carl@example.com,Carl,newsletter,",
                "dan@example.com,Dan,,granted",
                "eve@example.com,Eve,,"), null, true);

        assertThat(result).isEqualTo(new ImportResult(0, 0, 0, 2, List.of(
                new Reject(4, "bad@", "invalid e-mail address"),
                new Reject(6, "dan@example.com", "consent_status given without consent_purpose")), false, true));
        assertThat(db.maps("select * from contact order by id")).isEqualTo(contactsBefore);
        assertThat(db.maps("select * from consent_record order by id")).isEqualTo(consentsBefore);
        assertThat(count("audit_log")).isEqualTo(auditBefore);
    }

    @Test
    void strictImportOfAGoodFileImports() throws Exception {
        ImportResult result = run(csv("good.csv", "email,consent_purpose",
                "anna@example.com,newsletter", "bob@example.com,"), null, true);

        assertThat(result).isEqualTo(new ImportResult(2, 0, 0, 0, List.of(), false, false));
        assertThat(count("contact")).isEqualTo(2);
        assertThat(count("consent_record")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- erased people

    @Test
    void anErasedAddressIsRefusedInAnySpelling() throws Exception {
        run(csv("first.csv", "email,name,consent_purpose", "anna@example.com,Anna,newsletter"));
        db.engine().subjects().erase("anna@example.com", "test");
        db.engine().subjects().erase("never.seen@example.com", "test");
        assertThat(count("contact")).isZero();

        ImportResult result = run(csv("again.csv", "email,name,consent_purpose",
                "  ANNA@Example.com ,Anna,newsletter",
                "bob@example.com,Bob,newsletter",
                "anna@example.com,Anna,",
                "Never.Seen@EXAMPLE.com,Never,"));

        assertThat(result).isEqualTo(new ImportResult(1, 0, 0, 3, List.of(
                new Reject(2, "ANNA@Example.com", "erased"),
                new Reject(4, "anna@example.com", "erased"),
                new Reject(5, "Never.Seen@EXAMPLE.com", "erased")), false, false));
        assertThat(db.maps("select email from contact")).containsExactly(row("email", "bob@example.com"));
        assertThat(consents("bob@example.com")).hasSize(1);
        assertThat(count("consent_record")).isEqualTo(1);
    }

    @Test
    void anErasedAddressAbortsAStrictImport() throws Exception {
        db.engine().subjects().erase("anna@example.com", "test");
        long auditBefore = count("audit_log");

        ImportResult result = run(csv("again.csv", "email,name,consent_purpose",
                "bob@example.com,Bob,newsletter",
                "Anna@Example.com,Anna,newsletter"), null, true);

        assertThat(result).isEqualTo(new ImportResult(0, 0, 0, 1,
                List.of(new Reject(3, "Anna@Example.com", "erased")), false, true));
        assertThat(count("contact")).isZero();
        assertThat(count("consent_record")).isZero();
        assertThat(count("audit_log")).isEqualTo(auditBefore);
    }

    // ---------------------------------------------------------------- --source

    @Test
    void theDefaultSourceFillsOnlyRowsWithoutOne() throws Exception {
        ImportResult result = run(csv("fair.csv", "email,consent_purpose,consent_source",
                "anna@example.com,newsletter,paper form",
                "bob@example.com,newsletter,",
                "carl@example.com,,"), "spring fair 2025", false);

        assertThat(result).isEqualTo(new ImportResult(3, 0, 0, 0, List.of(), false, false));
        assertThat(consents("anna@example.com")).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("source", "paper form"));
        assertThat(consents("bob@example.com")).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("source", "spring fair 2025"));
        assertThat(consents("carl@example.com")).isEmpty();
    }

    // ---------------------------------------------------------------- the order of reject reasons

    @Test
    void aRowsRejectReasonIsTheFirstFailingCheckInTheDocumentedOrder() throws Exception {
        ImportResult result = run(csv("order.csv", "email,name,locale,birth_date,consent_purpose,consent_status,"
                        + "consent_at,consent_source,consent_ip,consent_text,confirmed_at,lawful_basis,parental_consent",
                "not-an-address,A\tB,xx-!!,1990-02-30,,,,,,,,,",                                // 2: address first
                "b@example.com,A\tB,xx-!!,1990-02-30,,,,,,,,,",                                 // 3: then the name
                "c@example.com,C,xx-!!,1990-02-30,,,,,,,,,",                                    // 4: locale
                "d@example.com,D,pl,1990-02-30,,granted,bad,form,nope,v1,bad,bad,bad",         // 5: birth_date
                "e@example.com,E,pl,,,granted,bad,form,nope,v1,bad,bad,bad",                   // 6: status w/o purpose
                "f@example.com,F,pl,,,,bad,form,nope,v1,bad,bad,bad",                          // 7: consent_at w/o purpose
                "g@example.com,G,pl,,,,,,,,,bad,true",                                         // 8: lawful_basis w/o purpose
                "h@example.com,H,pl,,newsletter,maybe,bad,,nope,,bad,bad,bad",                 // 9: status
                "i@example.com,I,pl,,News Letter,,bad,,nope,,bad,bad,bad",                     // 10: purpose
                "j@example.com,J,pl,,newsletter,,2025-03-01 10:00,,nope,,bad,bad,bad",         // 11: consent_at
                "k@example.com,K,pl,,newsletter,,2025-03-01T10:00Z,,nope,,bad,bad,bad",        // 12: confirmed_at
                "l@example.com,L,pl,,newsletter,,2025-03-01T10:00Z,,nope,,,bad,bad",           // 13: consent_ip
                "m@example.com,M,pl,,newsletter,,2025-03-01T10:00Z,,,,,bad,bad",               // 14: lawful_basis
                "n@example.com,N,pl,,newsletter,,2025-03-01T10:00Z,,,,,,bad"));                // 15: parental_consent

        assertThat(result.rejects()).extracting(Reject::line, Reject::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2L, "invalid e-mail address"),
                org.assertj.core.groups.Tuple.tuple(3L, "name contains control characters (line breaks or similar)"),
                org.assertj.core.groups.Tuple.tuple(4L, "invalid locale 'xx-!!' (expected a BCP 47 tag such as pl,"
                        + " sr-Latn or en)"),
                org.assertj.core.groups.Tuple.tuple(5L, "bad birth_date '1990-02-30' (expected YYYY-MM-DD)"),
                org.assertj.core.groups.Tuple.tuple(6L, "consent_status given without consent_purpose"),
                org.assertj.core.groups.Tuple.tuple(7L, "consent_at given without consent_purpose"),
                org.assertj.core.groups.Tuple.tuple(8L, "lawful_basis given without consent_purpose"),
                org.assertj.core.groups.Tuple.tuple(9L, "unknown consent_status 'maybe' (expected granted or withdrawn)"),
                org.assertj.core.groups.Tuple.tuple(10L, "bad consent_purpose 'news letter' (lower-case letters, digits,"
                        + " '.', '_' and '-', up to 64)"),
                org.assertj.core.groups.Tuple.tuple(11L, "consent_at '2025-03-01 10:00' has no time zone: give"
                        + " --timezone ZONE"),
                org.assertj.core.groups.Tuple.tuple(12L, "bad confirmed_at 'bad' (expected an ISO-8601 date-time with"
                        + " offset, e.g. 2025-03-01T10:15:00Z)"),
                org.assertj.core.groups.Tuple.tuple(13L, "bad consent_ip 'nope' (expected an IPv4 or IPv6 address)"),
                org.assertj.core.groups.Tuple.tuple(14L, "unknown lawful_basis 'bad' (expected consent or"
                        + " existing_customer)"),
                org.assertj.core.groups.Tuple.tuple(15L, "bad parental_consent 'bad' (expected true or false)"));
    }

    // ---------------------------------------------------------------- --purpose, --timezone, --preset, --map

    @Test
    void thePurposeGoesToRowsWithConsentValuesAndTheZoneToTimesWithoutAnOffset() throws Exception {
        Path file = csv("optins.csv", "email,consent_at,confirmed_at,consent_status",
                "anna@example.com,2025-06-01 12:00:00,2025-06-01 12:05:00+02:00,",
                "bob@example.com,,,",
                "carl@example.com,,,withdrawn");

        ImportResult result = db.engine().contactImport().run(file, new ImportOptions("form", false, null,
                ColumnMap.NONE, "Newsletter", ZoneId.of("Europe/Warsaw")), "test", null);

        assertThat(result).isEqualTo(new ImportResult(3, 0, 0, 0, List.of(), false, false));
        assertThat(consents("anna@example.com")).containsExactly(consent("newsletter", "granted",
                "2025-06-01T10:00:00Z", "form", null, null, "2025-06-01T10:05:00Z", "consent", false,
                "import optins.csv line 2"));
        assertThat(consents("bob@example.com")).isEmpty();
        assertThat(consents("carl@example.com")).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("purpose", "newsletter").containsEntry("status", "withdrawn"));
    }

    @Test
    void aPurposeForAFileWithoutConsentColumnsIsAUsageErrorAndWritesNothing() throws Exception {
        Path file = csv("bought.csv", "email,name", "anna@example.com,Anna");

        assertThatThrownBy(() -> db.engine().contactImport().run(file, new ImportOptions(null, false, null,
                ColumnMap.NONE, "newsletter", null), "test", null))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE))
                .hasMessage("bought.csv has no consent columns, so --purpose has nothing to apply to (a row without"
                        + " consent columns imports the contact with no consent).");
        assertThat(count("contact")).isZero();
        assertThatThrownBy(() -> new ImportOptions(null, false, null, ColumnMap.NONE, "*", null))
                .hasMessage("Bad --purpose '*' (lower-case letters, digits, '.', '_' and '-', up to 64).");
    }

    @Test
    void theMailchimpPresetJoinsNamesReadsTagsAndLeavesOutWhatMailerDoesNotKeep() throws Exception {
        Path file = csv("members.csv", "Email Address,First Name,Last Name,Birthday,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,"
                        + "CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,"
                        + "LEID,EUID,NOTES,TAGS,LANGUAGE",
                "Anna@Example.com, Anna , Nowak ,05/17,4,2025-06-01 12:00:00,192.0.2.10,2025-06-01 12:05:00,"
                        + "192.0.2.11,50.06,19.94,1,2,Europe/Warsaw,PL,MA,2025-06-02 08:00:00,1,a,notes,"
                        + "\"\"\"customers\"\",\"\"vip; gold\"\"\",pl",
                "bob@example.com,,Smith,,2,,,,,,,,,,,,,2,b,,,English");

        ImportResult result = db.engine().contactImport().run(file, new ImportOptions(null, false,
                ImportPreset.named("Mailchimp"), ColumnMap.NONE, "newsletter", ZoneId.of("UTC")), "test", null);

        assertThat(result).isEqualTo(new ImportResult(2, 0, 0, 0, List.of(), false, false));
        assertThat(contact("anna@example.com")).containsEntry("name", "Anna Nowak").containsEntry("locale", "pl")
                .containsEntry("tags", List.of("customers", "vip", "gold"))
                .containsEntry("attributes", Map.of("Birthday", "05/17"));
        assertThat(contact("bob@example.com")).containsEntry("name", "Smith").containsEntry("locale", null)
                .containsEntry("attributes", Map.of());
        assertThat(consents("anna@example.com")).containsExactly(consent("newsletter", "granted",
                "2025-06-01T12:00:00Z", null, "192.0.2.10", null, "2025-06-01T12:05:00Z", "consent", false,
                "import members.csv line 2"));
        assertThat(consents("bob@example.com")).isEmpty();
    }

    // ================================================================ helpers

    private ImportResult run(Path file) {
        return run(file, null, false);
    }

    private ImportResult run(Path file, String source, boolean strict) {
        return db.engine().contactImport().run(file, source, strict, "test", null);
    }

    private Path csv(String name, String header, String... rows) throws IOException {
        StringBuilder text = new StringBuilder(header).append('\n');
        for (String row : rows) {
            text.append(row).append('\n');
        }
        return bytes(name, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private Path bytes(String name, byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part);
        }
        Path file = dir.resolve(name);
        Files.write(file, out.toByteArray());
        return file;
    }

    private static Map<String, Object> consent(String purpose, String status, String consentAt, String source,
                                               String ip, String text, String confirmedAt, String basis,
                                               boolean parental, String recordedVia) {
        return row("purpose", purpose, "status", status, "consent_at", Instant.parse(consentAt), "source", source,
                "ip", ip, "consent_text", text, "confirmed_at", confirmedAt == null ? null : Instant.parse(confirmedAt),
                "lawful_basis", basis, "parental_consent", parental, "recorded_via", recordedVia);
    }

    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    private Map<String, Object> contact(String emailNorm) {
        List<Map<String, Object>> rows = db.maps("select * from contact where email_norm = ?", emailNorm);
        assertThat(rows).as("contact %s", emailNorm).hasSize(1);
        return rows.get(0);
    }

    /** The consent history of a contact, oldest record first, without ids and recording times. */
    private List<Map<String, Object>> consents(String emailNorm) {
        return db.maps("select purpose, status, consent_at, source, ip, consent_text, confirmed_at, lawful_basis,"
                + " parental_consent, recorded_via from consent_record cr join contact c on c.id = cr.contact_id"
                + " where c.email_norm = ? order by cr.id", emailNorm);
    }

    private long count(String table) {
        return db.count("select count(*) from " + table);
    }

    private Instant now() {
        return (Instant) db.maps("select clock_timestamp() as now").get(0).get("now");
    }
}
