package dev.mailer.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mailer.contacts.ConsentStatement;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.TestDatabase;
import dev.mailer.subject.DataSubject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code consent grant|withdraw|show} (SPEC §3) against a real PostgreSQL. */
class ConsentServiceTest {
    private static final String VIA = "cli by operator@host";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static TestDatabase db;
    private static ConsentService consent;

    /** This test's own addresses: {@code <local>.<n>@example.pl}. */
    private int n;

    @BeforeAll
    static void openDatabase() {
        db = TestDatabase.fresh();
        consent = db.engine().consent();
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
    void grantCreatesTheContactAndARecordWithItsProof() {
        String email = "  Anna.Nowak." + n + "@Example.PL ";
        OffsetDateTime confirmed = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
        OffsetDateTime before = OffsetDateTime.now();

        ConsentRecord record = consent.grant(email, new ConsentStatement("newsletter", "granted", null,
                "https://kawiarnia.example/newsletter", "203.0.113.7", "newsletter-form-v3", confirmed,
                "consent", false), "Mozilla/5.0 (test)", VIA);

        assertThat(record.purpose()).isEqualTo("newsletter");
        assertThat(record.status()).isEqualTo("granted");
        assertThat(record.source()).isEqualTo("https://kawiarnia.example/newsletter");
        assertThat(record.ip()).isEqualTo("203.0.113.7");
        assertThat(record.consentText()).isEqualTo("newsletter-form-v3");
        assertThat(record.confirmedAt()).isAtSameInstantAs(confirmed);
        assertThat(record.lawfulBasis()).isEqualTo("consent");
        assertThat(record.parentalConsent()).isFalse();
        assertThat(record.userAgent()).isEqualTo("Mozilla/5.0 (test)");
        assertThat(record.recordedVia()).isEqualTo(VIA);
        assertThat(record.consentAt()).as("no time given: recorded now").isCloseTo(before, within(1, ChronoUnit.MINUTES));
        assertThat(record.recordedAt()).isCloseTo(before, within(1, ChronoUnit.MINUTES));

        ConsentHistory history = consent.show("anna.nowak." + n + "@example.pl");
        assertThat(history.contact()).isNotNull();
        assertThat(history.contact().email()).isEqualTo("Anna.Nowak." + n + "@Example.PL");
        assertThat(history.contact().emailNormalized()).isEqualTo("anna.nowak." + n + "@example.pl");
        assertThat(history.records()).containsExactly(record);
        assertThat(db.count("select count(*) from contact where email_norm = ?", history.contact().emailNormalized()))
                .isEqualTo(1);
    }

    @Test
    void grantKeepsTheGivenConsentTimeAndParentalConsent() {
        OffsetDateTime at = OffsetDateTime.parse("2025-05-04T10:15:30+02:00");

        ConsentRecord record = consent.grant(email("olek"), new ConsentStatement("offers", "granted", at,
                "paper form", null, null, null, "consent", true), null, VIA);

        assertThat(record.consentAt()).isAtSameInstantAs(at);
        assertThat(record.confirmedAt()).isNull();
        assertThat(record.parentalConsent()).isTrue();
        assertThat(record.ip()).isNull();
    }

    @Test
    void grantForAnExistingContactAppendsAndKeepsOneContact() {
        String email = email("bogdan");
        ConsentRecord first = consent.grant(email, grant("newsletter", "checkout"), null, VIA);
        ConsentRecord second = consent.grant(email.toUpperCase(), grant("newsletter", "checkout"), null, VIA);
        ConsentRecord third = consent.grant(email, grant("offers", "shop counter"), null, VIA);

        ConsentHistory history = consent.show(email);
        assertThat(history.records()).containsExactly(first, second, third);
        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).isEqualTo(1);
    }

    @Test
    void withdrawPurposeAppendsAndLeavesEarlierRecordsAsTheyWere() {
        String email = email("celina");
        ConsentRecord granted = consent.grant(email, grant("newsletter", "https://kawiarnia.example/form"), null, VIA);

        ConsentRecord withdrawn = consent.withdraw(email, "newsletter", "phone call", VIA);

        assertThat(withdrawn.purpose()).isEqualTo("newsletter");
        assertThat(withdrawn.status()).isEqualTo("withdrawn");
        assertThat(withdrawn.source()).isEqualTo("phone call");
        assertThat(withdrawn.recordedVia()).isEqualTo(VIA);
        assertThat(withdrawn.consentAt()).isAfterOrEqualTo(granted.consentAt());
        assertThat(consent.show(email).records()).containsExactly(granted, withdrawn);
    }

    @Test
    void withdrawAllAppendsARecordForEveryPurpose() {
        String email = email("damian");
        ConsentRecord newsletter = consent.grant(email, grant("newsletter", "form"), null, VIA);
        ConsentRecord offers = consent.grant(email, grant("offers", "form"), null, VIA);

        ConsentRecord all = consent.withdraw(email, ConsentStatement.ALL_PURPOSES, "reply: remove me", VIA);

        assertThat(all.purpose()).isEqualTo("*");
        assertThat(all.status()).isEqualTo("withdrawn");
        assertThat(all.source()).isEqualTo("reply: remove me");
        assertThat(consent.show(email).records()).containsExactly(newsletter, offers, all);
    }

    @Test
    void withdrawOfAPurposeNeverGrantedIsStillRecorded() {
        String email = email("ewa");
        consent.grant(email, grant("newsletter", "form"), null, VIA);

        ConsentRecord withdrawn = consent.withdraw(email, "offers", null, VIA);

        assertThat(withdrawn.purpose()).isEqualTo("offers");
        assertThat(consent.show(email).records()).hasSize(2);
    }

    @Test
    void showReturnsTheFullHistoryOldestFirst() {
        String email = email("filomena");
        OffsetDateTime base = OffsetDateTime.parse("2024-01-01T00:00:00Z");
        ConsentRecord middle = consent.grant(email, grantAt("newsletter", base.plusMonths(6), "summer fair"), null, VIA);
        ConsentRecord oldest = consent.grant(email, grantAt("offers", base, "paper form"), null, VIA);
        ConsentRecord latest = consent.grant(email, grantAt("newsletter", base.plusMonths(12), "shop"), null, VIA);
        ConsentRecord withdrawal = consent.withdraw(email, "newsletter", "web form", VIA);

        ConsentHistory history = consent.show(email);

        assertThat(history.email()).isEqualTo(email);
        assertThat(history.records()).containsExactly(oldest, middle, latest, withdrawal);
        assertThat(history.records()).extracting(ConsentRecord::source)
                .containsExactly("paper form", "summer fair", "shop", "web form");
    }

    @Test
    void showOfAnUnknownAddressIsEmpty() {
        ConsentHistory history = consent.show(email("nobody"));

        assertThat(history.contact()).isNull();
        assertThat(history.records()).isEmpty();
    }

    @Test
    void grantIsRefusedForAnErasedAddress() {
        String email = email("gustaw");
        consent.grant(email, grant("newsletter", "form"), null, VIA);
        db.engine().subjects().erase(email, VIA);

        assertUsage(() -> consent.grant(email, grant("newsletter", "form"), null, VIA), "erased");
        assertUsage(() -> consent.grant(" " + email.toUpperCase() + " ", grant("newsletter", "form"), null, VIA),
                "erased");
        assertThat(consent.show(email).contact()).isNull();
        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).isZero();
    }

    @Test
    void withdrawForAnUnknownAddressIsAUsageError() {
        String email = email("unknown");

        assertUsage(() -> consent.withdraw(email, "newsletter", null, VIA), email);
        assertUsage(() -> consent.withdraw(email, ConsentStatement.ALL_PURPOSES, null, VIA), email);
        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "Newsletter", "news letter", "", "-news", "news/letter", "a;drop table contact"})
    void grantWithAnInvalidPurposeIsAUsageErrorAndWritesNothing(String purpose) {
        String email = email("henryka");
        long records = db.count("select count(*) from consent_record");

        assertUsage(() -> consent.grant(email, grant(purpose, "form"), null, VIA), "purpose");

        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).isZero();
        assertThat(db.count("select count(*) from consent_record")).isEqualTo(records);
    }

    @Test
    void grantWithoutAPurposeIsAUsageError() {
        assertUsage(() -> consent.grant(email("igor"), grant(null, "form"), null, VIA), "purpose");
    }

    @Test
    void grantWithAPurposeOfSixtyFourCharactersIsAccepted() {
        String purpose = "p" + "x".repeat(63);

        assertThat(consent.grant(email("jan"), grant(purpose, "form"), null, VIA).purpose()).isEqualTo(purpose);
        assertUsage(() -> consent.grant(email("jan"), grant(purpose + "x", "form"), null, VIA), "purpose");
    }

    @Test
    void withdrawWithAnInvalidPurposeIsAUsageError() {
        String email = email("julia");
        consent.grant(email, grant("newsletter", "form"), null, VIA);

        assertUsage(() -> consent.withdraw(email, "News Letter", null, VIA), "purpose");
        assertThat(consent.show(email).records()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-address", "jan@@example.pl", "jan@localhost", "", "jan..kowalski@example.pl"})
    void invalidAddressesAreUsageErrors(String email) {
        assertUsage(() -> consent.grant(email, grant("newsletter", "form"), null, VIA), "not a valid e-mail address");
        assertUsage(() -> consent.withdraw(email, "newsletter", null, VIA), "not a valid e-mail address");
        assertUsage(() -> consent.show(email), "not a valid e-mail address");
    }

    @Test
    void auditLogNamesThePersonByHashOnly() {
        String email = "Karolina.Zielinska." + n + "@Example.PL";
        String normalized = email.toLowerCase();
        long before = db.count("select count(*) from audit_log");

        consent.grant(email, grant("newsletter", "https://kawiarnia.example/form"), "Mozilla/5.0", VIA);
        consent.withdraw(email, "newsletter", "phone call", VIA);
        consent.withdraw(email, ConsentStatement.ALL_PURPOSES, null, VIA);

        List<List<String>> rows = db.rows("select actor, action, encode(subject_hash, 'hex'), detail::text"
                + " from audit_log where subject_hash = sha256(convert_to(?, 'UTF8')) order by id", normalized);
        assertThat(rows).extracting(r -> r.get(1))
                .containsExactly("consent.grant", "consent.withdraw", "consent.withdraw");
        assertThat(rows).extracting(r -> r.get(0)).containsOnly(VIA);
        assertThat(rows).extracting(r -> r.get(2)).containsOnly(TestDatabase.sha256(normalized));
        assertThat(rows.get(0).get(3)).contains("\"purpose\": \"newsletter\"").contains("\"status\": \"granted\"");
        assertThat(rows.get(2).get(3)).contains("\"purpose\": \"*\"");
        assertThat(db.count("select count(*) from audit_log")).isEqualTo(before + 3);
        assertThat(db.count("select count(*) from audit_log a where lower(a::text) like ?",
                "%" + ("karolina.zielinska." + n).toLowerCase() + "%"))
                .as("no audit row holds the address in clear").isZero();
    }

    @Test
    void consentHistoryCannotBeEditedOrDeleted() {
        String email = email("leszek");
        ConsentRecord record = consent.grant(email, grant("newsletter", "form"), null, VIA);

        assertThatThrownBy(() -> db.update("update consent_record set status = 'withdrawn' where id = ?", record.id()))
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> db.update("delete from consent_record where id = ?", record.id()))
                .hasMessageContaining("append-only");
        assertThat(consent.show(email).records()).containsExactly(record);
    }

    // --- helpers --------------------------------------------------------------------------------

    private String email(String local) {
        return local + "." + n + "@example.pl";
    }

    private static ConsentStatement grant(String purpose, String source) {
        return new ConsentStatement(purpose, "granted", null, source, null, null, null, "consent", false);
    }

    private static ConsentStatement grantAt(String purpose, OffsetDateTime at, String source) {
        return new ConsentStatement(purpose, "granted", at, source, null, null, at.plusMinutes(5), "consent", false);
    }

    private static void assertUsage(Runnable action, String messagePart) {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE))
                .hasMessageContaining(messagePart);
    }
}
