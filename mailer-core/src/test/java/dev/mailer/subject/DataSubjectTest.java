package dev.mailer.subject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.ContactImport;
import dev.mailer.contacts.ImportResult;
import dev.mailer.contacts.Reject;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.campaign.CampaignRecords;
import dev.mailer.consent.ConsentStore;
import dev.mailer.store.TestDatabase;
import dev.mailer.suppression.Suppressions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code subject export|erase} (SPEC §4) against a real PostgreSQL. */
class DataSubjectTest {
    private static final String ACTOR = "cli by dpo";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static TestDatabase db;
    private static DataSubject subject;

    @TempDir
    Path dir;
    private int n;
    /** The person each test is about, and a bystander who must be left alone. */
    private String email;
    private String other;

    @BeforeAll
    static void openDatabase() {
        db = TestDatabase.fresh();
        subject = db.engine().subjects();
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
        email = "zofia.wisniewska." + n + "@example.pl";
        other = "tomasz.other." + n + "@example.pl";
    }

    @Test
    void exportContainsEverythingStoredAboutThePerson() throws IOException {
        Person person = storeEverything();

        DataSubject.Export export = subject.export("  Zofia.Wisniewska." + n + "@EXAMPLE.pl", ACTOR);

        assertThat(export.erased()).isFalse();
        assertThat(export.contact()).isNotNull();
        assertThat(export.contact().emailNormalized()).isEqualTo(email);
        assertThat(export.contact().name()).isEqualTo("Zofia Wiśniewska");
        assertThat(export.contact().locale()).isEqualTo("pl");
        assertThat(export.contact().tags()).containsExactly("customers", "vip");
        assertThat(export.contact().birthDate()).isEqualTo(LocalDate.of(1990, 4, 12));
        assertThat(export.contact().attributes()).containsEntry("loyalty_card", "KN-0042").containsEntry("city", "Kraków");

        assertThat(export.consents()).extracting(ConsentRecord::purpose, ConsentRecord::status)
                .containsExactly(
                        tuple("newsletter", "granted"),
                        tuple("offers", "granted"),
                        tuple("offers", "withdrawn"));
        assertThat(export.consents().get(0).source()).isEqualTo("https://kawiarnia.example/newsletter");
        assertThat(export.consents().get(0).ip()).isEqualTo("198.51.100.4");

        assertThat(export.deliveries()).singleElement().satisfies(d -> {
            assertThat(d).containsEntry("campaign", person.campaign).containsEntry("status", "sent");
            assertThat(d.get("smtp_reply")).isEqualTo("250 2.0.0 Ok: queued as ABC123 <" + email + ">");
            assertThat(d.get("message_id")).isEqualTo("<m-" + n + "@kawiarnia.example>");
        });
        assertThat(export.feedback()).singleElement().satisfies(f -> {
            assertThat(f).containsEntry("type", "bounce").containsEntry("hard", false)
                    .containsEntry("campaign", person.campaign);
            assertThat((String) f.get("diagnostic")).contains(email);
        });
        assertThat(export.suppressions()).extracting(s -> s.get("reason"))
                .containsExactlyInAnyOrder("manual", "complaint");
    }

    @Test
    void exportIsAuditedByHashOnly() throws IOException {
        storeEverything();

        subject.export(email, ACTOR);
        subject.export("never.seen." + n + "@example.pl", ACTOR);

        assertThat(db.count("select count(*) from audit_log where action = 'subject.export'"
                + " and subject_hash = sha256(convert_to(?, 'UTF8'))", email)).isEqualTo(1);
        assertThat(clearTextHits("audit_log", "wisniewska." + n)).isZero();
        assertThat(clearTextHits("audit_log", "never.seen." + n)).isZero();
    }

    @Test
    void exportOfAnUnknownAddressIsEmpty() {
        DataSubject.Export export = subject.export("never.seen." + n + "@example.pl", ACTOR);

        assertThat(export.contact()).isNull();
        assertThat(export.erased()).isFalse();
        assertThat(export.consents()).isEmpty();
        assertThat(export.deliveries()).isEmpty();
        assertThat(export.feedback()).isEmpty();
        assertThat(export.suppressions()).isEmpty();
    }

    @Test
    void eraseRemovesThePersonAndKeepsOnlyTheHash() throws IOException {
        Person person = storeEverything();
        long otherRecords = db.count("select count(*) from consent_record where contact_id = ?", person.otherId);

        DataSubject.Erasure erasure = subject.erase(email.toUpperCase(), ACTOR);

        assertThat(erasure).isEqualTo(new DataSubject.Erasure(true, 3, 1));
        assertThat(db.count("select count(*) from contact where id = ? or email_norm = ?", person.contactId, email))
                .isZero();
        assertThat(db.count("select count(*) from consent_record where contact_id = ?", person.contactId)).isZero();

        // the delivery row outlives the person (campaign statistics), anonymised
        List<List<String>> delivery = db.rows("select contact_id, smtp_reply, status from delivery"
                + " where message_id = ?", "<m-" + n + "@kawiarnia.example>");
        assertThat(delivery).containsExactly(Arrays.asList(null, null, "sent"));
        List<List<String>> feedback = db.rows(
                "select contact_id, diagnostic, type from feedback_event where source_key = ?", "bounce-" + n);
        assertThat(feedback).containsExactly(Arrays.asList(null, null, "bounce"));

        // the suppression list keeps the hash and nothing else
        assertThat(db.rows("select email_norm, reason, detail from suppression"
                + " where email_hash = sha256(convert_to(?, 'UTF8'))", email))
                .containsExactly(Arrays.asList(null, "erased", null));
        assertThat(db.count("select count(*) from suppression where email_norm = ?", email)).isZero();

        // nowhere in the database, audit log included, is the address or the name left in clear
        for (String table : tables()) {
            assertThat(clearTextHits(table, "wisniewska." + n)).as(table).isZero();
            assertThat(clearTextHits(table, "Wiśniewska")).as(table).isZero();
            assertThat(clearTextHits(table, "KN-0042")).as(table).isZero();
        }
        assertThat(db.count("select count(*) from audit_log where action = 'subject.erase'"
                + " and subject_hash = sha256(convert_to(?, 'UTF8'))", email)).isEqualTo(1);

        // the bystander is untouched
        assertThat(db.count("select count(*) from contact where id = ?", person.otherId)).isEqualTo(1);
        assertThat(db.count("select count(*) from consent_record where contact_id = ?", person.otherId))
                .isEqualTo(otherRecords);
        assertThat(db.count("select count(*) from delivery where contact_id = ?", person.otherId)).isEqualTo(1);
        assertThat(db.count("select count(*) from suppression where email_norm = ?", other)).isEqualTo(1);
    }

    @Test
    void consentHistoryIsDeletableOnlyDuringAnErasure() throws IOException {
        Person person = storeEverything();
        long recordId = db.count("select min(id) from consent_record where contact_id = ?", person.otherId);

        assertThatThrownBy(() -> db.update("delete from consent_record where id = ?", recordId))
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> db.update("delete from contact where id = ?", person.otherId))
                .as("deleting a contact would cascade into its history").hasMessageContaining("append-only");
        assertThatThrownBy(() -> db.update("update consent_record set source = 'forged' where id = ?", recordId))
                .hasMessageContaining("append-only");

        subject.erase(email, ACTOR);

        // the erasure's permission ended with its transaction, also on the connection it used
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> db.update("delete from consent_record where id = ?", recordId))
                    .hasMessageContaining("append-only");
        }
        assertThat(db.count("select count(*) from consent_record where id = ?", recordId)).isEqualTo(1);
    }

    @Test
    void afterErasureExportIsEmptyAndTheAddressCannotComeBack() throws IOException {
        storeEverything();
        subject.erase(email, ACTOR);

        DataSubject.Export export = subject.export(email, ACTOR);
        assertThat(export.erased()).isTrue();
        assertThat(export.contact()).isNull();
        assertThat(export.consents()).isEmpty();
        assertThat(export.deliveries()).isEmpty();
        assertThat(export.feedback()).isEmpty();
        assertThat(export.suppressions()).isEmpty();

        ImportResult reimport = importCsv("email,name,consent_purpose,consent_at,confirmed_at\r\n"
                + "Zofia.Wisniewska." + n + "@Example.PL,Zofia,newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z\r\n"
                + "someone.new." + n + "@example.pl,New,newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z\r\n");
        assertThat(reimport.rejects()).extracting(Reject::line, Reject::reason)
                .containsExactly(tuple(2L, "erased"));
        assertThat(reimport.imported()).isEqualTo(1);
        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).isZero();

        ConsentService consent = db.engine().consent();
        assertThatThrownBy(() -> consent.grant(email, new ConsentStatement("newsletter", "granted", null, "web form",
                null, null, null, "consent", false), null, ACTOR))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE))
                .hasMessageContaining("erased");
        assertThat(db.count("select count(*) from contact where email_norm = ?", email)).isZero();
    }

    @Test
    void eraseOfAnAddressNeverStoredStillBlocksItForGood() {
        String stranger = "stranger." + n + "@example.pl";

        DataSubject.Erasure erasure = subject.erase(stranger, ACTOR);

        assertThat(erasure).isEqualTo(new DataSubject.Erasure(false, 0, 0));
        assertThat(subject.export(stranger, ACTOR).erased()).isTrue();
        assertThat(db.count("select count(*) from suppression where reason = 'erased'"
                + " and email_hash = sha256(convert_to(?, 'UTF8')) and email_norm is null", stranger)).isEqualTo(1);
    }

    @Test
    void eraseTwiceIsHarmless() throws IOException {
        storeEverything();

        subject.erase(email, ACTOR);
        DataSubject.Erasure again = subject.erase(email, ACTOR);

        assertThat(again).isEqualTo(new DataSubject.Erasure(false, 0, 0));
        assertThat(db.count("select count(*) from suppression where email_hash = sha256(convert_to(?, 'UTF8'))", email))
                .isEqualTo(1);
    }

    @Test
    void invalidAddressIsAUsageError() {
        assertThatThrownBy(() -> subject.erase("not an address", ACTOR))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE));
        assertThatThrownBy(() -> subject.export("jan@@example.pl", ACTOR))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE));
    }

    // --- fixtures -------------------------------------------------------------------------------

    private record Person(long contactId, long otherId, String campaign) {
    }

    /**
     * The person with a contact, attributes, consent history, a delivery, a bounce and
     * suppressions; and a bystander with the same kinds of data.
     */
    private Person storeEverything() throws IOException {
        ImportResult imported = importCsv(
                "email,name,locale,tags,birth_date,loyalty_card,city,consent_purpose,consent_status,consent_at,"
                        + "consent_source,consent_ip,confirmed_at\r\n"
                        + "Zofia.Wisniewska." + n + "@example.pl,Zofia Wiśniewska,pl,customers;vip,1990-04-12,KN-0042,"
                        + "Kraków,newsletter,granted,2025-03-01T09:00:00+01:00,https://kawiarnia.example/newsletter,"
                        + "198.51.100.4,2025-03-01T09:10:00+01:00\r\n"
                        + "zofia.wisniewska." + n + "@example.pl,Zofia Wiśniewska,pl,customers;vip,1990-04-12,KN-0042,"
                        + "Kraków,offers,granted,2025-04-01T09:00:00+02:00,checkout,,\r\n"
                        + other + ",Tomasz Other,pl,customers,,,,newsletter,granted,2025-03-01T09:00:00Z,checkout,,"
                        + "2025-03-01T09:00:00Z\r\n");
        assertThat(imported.rejects()).isEmpty();
        db.engine().consent().withdraw(email, "offers", "reply to newsletter", ACTOR);
        Suppressions suppressions = db.engine().suppressions();
        suppressions.add(email, "manual", "asked by phone", ACTOR);
        suppressions.add(email, "complaint", "marked as spam", ACTOR);
        suppressions.add(other, "manual", null, ACTOR);

        String campaign = "newsletter-" + n;
        return db.database().inTransaction(connection -> {
            ConsentStore people = db.stores().consent();
            long contactId = people.findContact(email).orElseThrow().id();
            long otherId = people.findContact(other).orElseThrow().id();
            CampaignRecords campaigns = db.stores().campaigns();
            long campaignId = campaigns.findOrCreate(campaign, "newsletter", "newsletter", "{}");
            campaigns.recordSent(campaignId, contactId, "250 2.0.0 Ok: queued as ABC123 <" + email + ">",
                    "<m-" + n + "@kawiarnia.example>");
            campaigns.recordSent(campaignId, otherId, "250 2.0.0 Ok", "<o-" + n + "@kawiarnia.example>");
            try (PreparedStatement statement = connection.prepareStatement(
                    "insert into feedback_event (source_key, type, contact_id, campaign_id, hard, status, diagnostic)"
                            + " values (?, 'bounce', ?, ?, false, '4.2.2', ?)")) {
                statement.setString(1, "bounce-" + n);
                statement.setLong(2, contactId);
                statement.setLong(3, campaignId);
                statement.setString(4, "452 4.2.2 <" + email + ">: mailbox full");
                statement.executeUpdate();
            }
            return new Person(contactId, otherId, campaign);
        });
    }

    private ImportResult importCsv(String content) throws IOException {
        Path csv = Files.createTempFile(dir, "contacts", ".csv");
        Files.writeString(csv, content, StandardCharsets.UTF_8);
        return db.engine().contactImport().run(csv, "test", false, ACTOR, null);
    }

    // --- SQL ------------------------------------------------------------------------------------

    private static List<String> tables() {
        List<String> tables = db.tables();
        assertThat(tables).contains("contact", "consent_record", "suppression", "audit_log", "delivery",
                "feedback_event", "campaign");
        return tables;
    }

    /** Rows of the table whose text form contains the text, case-insensitively. */
    private static long clearTextHits(String table, String text) {
        return db.count("select count(*) from \"" + table + "\" t where strpos(lower(t::text), lower(?)) > 0", text);
    }
}
