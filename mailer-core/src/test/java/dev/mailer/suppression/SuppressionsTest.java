package dev.mailer.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.ExclusionReason;
import dev.mailer.audience.GateReport;
import dev.mailer.audience.GateRules;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.ContactImport;
import dev.mailer.contacts.ImportResult;
import dev.mailer.contacts.Reject;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.TestDatabase;
import dev.mailer.subject.DataSubject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code suppress add|remove|list} (SPEC §4) against a real PostgreSQL. */
class SuppressionsTest {
    private static final String ACTOR = "cli by operator";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static TestDatabase db;
    private static Suppressions suppressions;

    @TempDir
    Path dir;
    private int n;

    @BeforeAll
    static void openDatabase() {
        db = TestDatabase.fresh();
        suppressions = db.engine().suppressions();
    }

    @AfterAll
    static void closeDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void number() {
        n = SEQUENCE.incrementAndGet();
    }

    @Test
    void addListRemove() {
        String email = "Jan.Kowalski." + n + "@Example.PL";
        String normalized = email.toLowerCase();

        assertThat(suppressions.add(email, "manual", "asked by phone", ACTOR)).isTrue();

        assertThat(entriesOf(normalized)).singleElement().satisfies(entry -> {
            assertThat(entry).containsEntry("email_norm", normalized).containsEntry("reason", "manual")
                    .containsEntry("detail", "asked by phone").containsEntry("origin", ACTOR)
                    .containsEntry("hash", TestDatabase.sha256(normalized));
            assertThat(entry.get("created_at")).isInstanceOf(OffsetDateTime.class);
        });

        assertThat(suppressions.remove(email, "manual", ACTOR)).isTrue();
        assertThat(entriesOf(normalized)).isEmpty();
        assertThat(suppressions.remove(email, "manual", ACTOR)).as("nothing left to remove").isFalse();
    }

    @Test
    void addIsIdempotent() {
        String email = email("marek");
        long audit = db.count("select count(*) from audit_log");

        assertThat(suppressions.add(email, "manual", "first", ACTOR)).isTrue();
        assertThat(suppressions.add(email, "manual", "second", ACTOR)).isFalse();
        assertThat(suppressions.add(email.toUpperCase(), "manual", "third", ACTOR)).isFalse();

        assertThat(entriesOf(email)).singleElement().satisfies(e -> assertThat(e).containsEntry("detail", "first"));
        assertThat(db.count("select count(*) from audit_log")).as("only the real change is audited")
                .isEqualTo(audit + 1);
    }

    @Test
    void oneEntryPerReasonAndRemoveTakesOnlyThatReason() {
        String email = email("natalia");
        suppressions.add(email, "manual", null, ACTOR);
        suppressions.add(email, "bounced", "550 5.1.1", ACTOR);
        suppressions.add(email, "complaint", null, ACTOR);

        assertThat(entriesOf(email)).extracting(e -> e.get("reason"))
                .containsExactlyInAnyOrder("manual", "bounced", "complaint");

        assertThat(suppressions.remove(email, "bounced", ACTOR)).isTrue();
        assertThat(entriesOf(email)).extracting(e -> e.get("reason")).containsExactlyInAnyOrder("manual", "complaint");
    }

    @Test
    void keyedByTheNormalizedAddress() {
        String email = email("oliwia");
        suppressions.add("  " + email.toUpperCase() + " ", "manual", null, ACTOR);

        assertThat(entriesOf(email)).hasSize(1);
        assertThat(suppressions.remove(email, "manual", ACTOR)).isTrue();
        assertThat(entriesOf(email)).isEmpty();
    }

    @Test
    void aBlockAddedBeforeTheImportHoldsAndRemovingItLetsTheContactThrough() throws IOException {
        String email = email("patryk");
        suppressions.add(email, "manual", null, ACTOR);
        importGranted(email, "newsletter-" + n);

        assertThat(reason("newsletter-" + n)).isEqualTo(ExclusionReason.SUPPRESSED_MANUAL);
        suppressions.remove(email, "manual", ACTOR);
        assertThat(reason("newsletter-" + n)).isNull();
    }

    @Test
    void removeNeverRevivesAWithdrawnConsent() throws IOException {
        String email = email("roksana");
        String purpose = "newsletter-" + n;
        importGranted(email, purpose);
        db.engine().consent().withdraw(email, purpose, "phone call", ACTOR);
        suppressions.add(email, "manual", null, ACTOR);
        int history = db.engine().consent().show(email).records().size();
        assertThat(reason(purpose)).isEqualTo(ExclusionReason.SUPPRESSED_MANUAL);

        assertThat(suppressions.remove(email, "manual", ACTOR)).isTrue();

        assertThat(reason(purpose)).isEqualTo(ExclusionReason.CONSENT_WITHDRAWN);
        assertThat(db.engine().consent().show(email).records()).hasSize(history)
                .last().satisfies(r -> assertThat(r.status()).isEqualTo("withdrawn"));
    }

    @Test
    void removeNeverRevivesAnUnsubscribeFromEverything() throws IOException {
        String email = email("szymon");
        String purpose = "newsletter-" + n;
        importGranted(email, purpose);
        db.engine().consent().withdraw(email, ConsentStatement.ALL_PURPOSES, null, ACTOR);
        suppressions.add(email, "bounced", null, ACTOR);

        suppressions.remove(email, "bounced", ACTOR);
        suppressions.remove(email, "manual", ACTOR);

        assertThat(reason(purpose)).isEqualTo(ExclusionReason.SUPPRESSED_UNSUBSCRIBED);
    }

    @Test
    void removeNeverRevivesAnErasedAddress() throws IOException {
        String email = email("teresa");
        String hash = TestDatabase.sha256(email);
        importGranted(email, "newsletter");
        suppressions.add(email, "manual", "asked by phone", ACTOR);
        suppressions.add(email, "bounced", null, ACTOR);
        db.engine().subjects().erase(email, ACTOR);

        List<Map<String, Object>> erased = entriesWithHash(hash);
        assertThat(erased).singleElement().satisfies(e -> {
            assertThat(e).containsEntry("reason", "erased").containsEntry("email_norm", null);
            assertThat(e.get("detail")).isNull();
        });

        assertThat(suppressions.remove(email, "manual", ACTOR)).isFalse();
        assertThat(suppressions.remove(email, "bounced", ACTOR)).isFalse();
        assertUsage(() -> suppressions.remove(email, "erased", ACTOR));

        assertThat(entriesWithHash(hash)).isEqualTo(erased);
        ImportResult again = importGranted(email, "newsletter");
        assertThat(again.rejects()).extracting(Reject::reason).containsExactly("erased");
        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).isZero();
    }

    @Test
    void blockingAnErasedAddressAgainDoesNotStoreItInClear() {
        String email = email("wiktoria");
        String hash = TestDatabase.sha256(email);
        db.engine().subjects().erase(email, ACTOR);

        assertThat(suppressions.add(email, "manual", "asked again by phone", ACTOR))
                .as("already blocked for good").isFalse();
        assertThat(suppressions.add(email.toUpperCase(), "bounced", null, ACTOR)).isFalse();

        assertThat(entriesWithHash(hash)).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("reason", "erased").containsEntry("email_norm", null));
        assertThat(db.count("select count(*) from suppression where email_norm = ?", email)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"erased", "spam", "Manual", "", "unsubscribed"})
    void badReasonIsAUsageErrorAndWritesNothing(String reason) {
        String email = email("urban");
        long rows = db.count("select count(*) from suppression");

        assertUsage(() -> suppressions.add(email, reason, null, ACTOR));
        assertUsage(() -> suppressions.remove(email, reason, ACTOR));

        assertThat(db.count("select count(*) from suppression")).isEqualTo(rows);
    }

    @Test
    void invalidAddressIsAUsageError() {
        assertUsage(() -> suppressions.add("not an address", "manual", null, ACTOR));
        assertUsage(() -> suppressions.remove("jan@@example.pl", "manual", ACTOR));
    }

    @Test
    void addAndRemoveAreAuditedByHashOnly() {
        String email = "Wanda.Lis." + n + "@example.pl";
        String normalized = email.toLowerCase();
        suppressions.add(email, "manual", "asked by phone", ACTOR);
        suppressions.remove(email, "manual", ACTOR);

        assertThat(db.count("select count(*) from audit_log where subject_hash = sha256(convert_to(?, 'UTF8'))"
                + " and action in ('suppress.add', 'suppress.remove')", normalized)).isEqualTo(2);
        assertThat(db.count("select count(*) from audit_log a where lower(a::text) like ?", "%wanda.lis." + n + "%"))
                .isZero();
    }

    // --- helpers --------------------------------------------------------------------------------

    private String email(String local) {
        return local + "." + n + "@example.pl";
    }

    private static List<Map<String, Object>> entriesOf(String normalized) {
        return suppressions.list().stream().filter(e -> normalized.equals(e.get("email_norm"))).toList();
    }

    private static List<Map<String, Object>> entriesWithHash(String hash) {
        return suppressions.list().stream().filter(e -> hash.equals(e.get("hash"))).toList();
    }

    /** Imports the contact with a confirmed consent for the purpose and gives it a tag of its own. */
    private ImportResult importGranted(String email, String purpose) throws IOException {
        String at = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.now(ZoneOffset.UTC).minusDays(7));
        Path csv = Files.createTempFile(dir, "contacts", ".csv");
        Files.writeString(csv, "email,tags,consent_purpose,consent_at,confirmed_at\r\n"
                + email + ",t" + n + "," + purpose + "," + at + "," + at + "\r\n", StandardCharsets.UTF_8);
        return db.engine().contactImport().run(csv, "test", false, ACTOR, null);
    }

    /** The gate's reason for this test's only contact, null when eligible. */
    private ExclusionReason reason(String purpose) {
        GateReport report = new ConsentGate(db.stores().gate()).report(
                new GateRules(purpose, true, false, null, 16, List.of("t" + n), List.of(), null));
        assertThat(report.considered()).isEqualTo(1);
        return report.excluded().entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    private static void assertUsage(Runnable action) {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE));
    }
}
