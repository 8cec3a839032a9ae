package dev.mailer.audience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.campaign.Audience;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.campaign.DryRun;
import dev.mailer.message.MailboxAddress;
import dev.mailer.campaign.SendReport;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.ContactImport;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.contacts.ImportResult;
import dev.mailer.campaign.CampaignRecords;
import dev.mailer.store.GateQuery;
import dev.mailer.consent.ConsentStore;
import dev.mailer.store.TestDatabase;
import dev.mailer.suppression.Suppressions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The consent gate (SPEC §6) against a real PostgreSQL. All tests share one database; each test
 * tags its own contacts with a tag of its own and points the campaign's audience at that tag, so
 * a test sees exactly the contacts it made (and the audience filter itself is tested separately).
 */
class ConsentGateTest {
    private static final String PURPOSE = "newsletter";
    private static final String ACTOR = "consent-gate-test";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final List<String> COLUMNS = List.of("email", "name", "locale", "tags", "birth_date",
            "consent_purpose", "consent_status", "consent_at", "consent_source", "confirmed_at", "lawful_basis",
            "parental_consent");

    private static TestDatabase db;
    /** The database server's today: birth dates are compared with its current_date. */
    private static LocalDate today;

    @TempDir
    Path dir;
    /** This test's own audience tag. */
    private String tag;
    private final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);

    @BeforeAll
    static void openDatabase() {
        db = TestDatabase.fresh();
        today = (LocalDate) db.maps("select current_date as today").get(0).get("today");
    }

    @AfterAll
    static void closeDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void newTag() {
        tag = "t" + SEQUENCE.incrementAndGet();
    }

    // --- every reason code is produced -----------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "marek.nowicki@@poczta.example", "zamowienia kawiarnia.example", "kasia.wrobel@localhost",
            "no-at-sign.example", "@example.com", "jan@", "jan@example..com", "jan@.example.com",
            "jan..nowak@example.com", ".jan@example.com", "jan.@example.com", "<jan@example.com>",
            "jan,nowak@example.com", "jan;nowak@example.com", "jan\\nowak@example.com",
            "jan@exa<mple.com", "jan@example.com.", "jan\tnowak@example.com"})
    void invalidStoredAddress(String raw) {
        insertUnvalidated(raw, true);

        assertThat(reason(campaign())).isEqualTo("invalid_address");
    }

    @Test
    void overlongStoredAddressIsInvalid() {
        insertUnvalidated("x".repeat(250) + "@example.com", true);

        assertThat(reason(campaign())).isEqualTo("invalid_address");
    }

    /** The other side of invalidStoredAddress: the check must not refuse real addresses. */
    @ParameterizedTest
    @ValueSource(strings = {"o'brien@example.ie", "jan+news@xn--bcher-kva.de", "zażółć.gęślą@example.pl",
            "a@b.co", "user_name-1.x@sub.domain.example", "#!$%&*+/=?^`{|}~@example.org"})
    void validStoredAddressPasses(String raw) {
        insertUnvalidated(raw, true);

        assertThat(reason(campaign())).isEqualTo("eligible");
    }

    @Test
    void unsubscribedFromEverything() {
        String email = importEligible("anna");
        db.engine().consent().withdraw(email, ConsentStatement.ALL_PURPOSES, "reply: remove me", ACTOR);

        assertThat(reason(campaign())).isEqualTo("suppressed_unsubscribed");
    }

    @Test
    void bounced() {
        String email = importEligible("bartek");
        suppress(email, "bounced");

        assertThat(reason(campaign())).isEqualTo("suppressed_bounced");
    }

    @Test
    void complaint() {
        String email = importEligible("celina");
        suppress(email, "complaint");

        assertThat(reason(campaign())).isEqualTo("suppressed_complaint");
    }

    @Test
    void manualBlock() {
        String email = importEligible("darek");
        suppress(email, "manual");

        assertThat(reason(campaign())).isEqualTo("suppressed_manual");
    }

    @Test
    void suppressionKeyedByAddressHoldsBeforeTheContactExistsAndAcrossCase() {
        String email = email("edyta");
        suppress(email.toUpperCase(Locale.ROOT), "manual");
        importRows(row(email).granted(now.minusDays(10)).confirmed());

        assertThat(reason(campaign())).isEqualTo("suppressed_manual");
    }

    @Test
    void noConsentRecordAtAll() {
        importRows(row(email("filip")));

        assertThat(reason(campaign())).isEqualTo("no_consent");
    }

    @Test
    void consentForAnotherPurposeOnly() {
        importRows(row(email("gosia")).granted(now.minusDays(10)).purpose("offers").confirmed());

        assertThat(reason(campaign())).isEqualTo("no_consent");
        assertThat(reason(campaign().purpose("offers"))).isEqualTo("eligible");
    }

    @Test
    void consentWithdrawn() {
        String email = email("henryk");
        importRows(row(email).granted(now.minusDays(100)).confirmed(),
                row(email).withdrawn(now.minusDays(50)));

        assertThat(reason(campaign())).isEqualTo("consent_withdrawn");
    }

    @Test
    void consentWithdrawnByCommand() {
        String email = importEligible("iza");
        db.engine().consent().withdraw(email, PURPOSE, "phone call", ACTOR);

        assertThat(reason(campaign())).isEqualTo("consent_withdrawn");
    }

    @Test
    void unconfirmed() {
        importRows(row(email("jacek")).granted(now.minusDays(10)));

        assertThat(reason(campaign())).isEqualTo("unconfirmed");
    }

    @Test
    void consentExpired() {
        importRows(row(email("kasia")).granted(now.minusYears(3)).confirmed());

        assertThat(reason(campaign().maxConsentAge(Period.ofMonths(24)))).isEqualTo("consent_expired");
        assertThat(reason(campaign().maxConsentAge(Period.ofYears(4)))).isEqualTo("eligible");
    }

    @Test
    void minorWithoutParentalConsent() {
        importRows(row(email("leon")).born(today.minusYears(12)).granted(now.minusDays(10)).confirmed());

        assertThat(reason(campaign())).isEqualTo("minor_without_parental_consent");
    }

    @Test
    void alreadySent() {
        String email = importEligible("marta");
        Campaign campaign = campaign();
        assertThat(reason(campaign)).isEqualTo("eligible");

        recordSent(campaign.name, email);

        assertThat(reason(campaign)).isEqualTo("already_sent");
        assertThat(reason(campaign().name("another-" + tag))).as("another campaign").isEqualTo("eligible");
    }

    @Test
    void deliveryInDoubtCountsAsSentButFailedOrPendingDoesNot() {
        String email = importEligible("norbert");
        Campaign campaign = campaign();
        long campaignId = recordSent(campaign.name, email);

        setDeliveryStatus(campaignId, email, "unknown");
        assertThat(reason(campaign)).isEqualTo("already_sent");
        setDeliveryStatus(campaignId, email, "failed");
        assertThat(reason(campaign)).isEqualTo("eligible");
        setDeliveryStatus(campaignId, email, "pending");
        assertThat(reason(campaign)).isEqualTo("eligible");
    }

    @Test
    void everyReasonCodeAtOnceInOneAudience() {
        insertUnvalidated("broken@@" + tag + ".example", true);
        db.engine().consent().withdraw(importEligible("a"), ConsentStatement.ALL_PURPOSES, null, ACTOR);
        suppress(importEligible("b"), "bounced");
        suppress(importEligible("c"), "complaint");
        suppress(importEligible("d"), "manual");
        importRows(row(email("e")),
                row(email("f")).granted(now.minusDays(9)).confirmed(), row(email("f")).withdrawn(now.minusDays(3)),
                row(email("g")).granted(now.minusDays(9)),
                row(email("h")).granted(now.minusYears(5)).confirmed(),
                row(email("i")).born(today.minusYears(10)).granted(now.minusDays(9)).confirmed());
        Campaign campaign = campaign();
        recordSent(campaign.name, importEligible("j"));
        importEligible("k");
        importEligible("l");

        SendReport report = new DryRun(db.engine().campaignPorts()).gateOnly(campaign.spec());

        Map<String, Long> expected = new LinkedHashMap<>();
        Arrays.stream(ExclusionReason.values()).forEach(r -> expected.put(r.code(), 1L));
        assertThat(report.excluded()).containsExactlyEntriesOf(expected);
        assertThat(report.eligible()).isEqualTo(2);
        assertThat(report.considered()).isEqualTo(13);
    }

    // --- a contact failing several rules gets the first in table order --------------------------

    @Test
    void invalidAddressBeforeNoConsent() {
        insertUnvalidated("no-consent@@" + tag + ".example", false);

        assertThat(reason(campaign())).isEqualTo("invalid_address");
    }

    @Test
    void invalidAddressBeforeUnsubscribedBeforeEverythingElse() {
        long id = insertUnvalidated("all-wrong@" + tag, true);
        db.database().inTransaction(connection -> db.stores().consent().appendConsent(id,
                new ConsentStatement("*", "withdrawn", null, null, null, null, null, "consent", false),
                null, ACTOR));

        assertThat(reason(campaign())).isEqualTo("invalid_address");
    }

    @Test
    void unsubscribedAllBeforeBounced() {
        String email = importEligible("ola");
        db.engine().consent().withdraw(email, ConsentStatement.ALL_PURPOSES, null, ACTOR);
        suppress(email, "bounced");

        assertThat(reason(campaign())).isEqualTo("suppressed_unsubscribed");
    }

    @Test
    void bouncedBeforeComplaintBeforeManual() {
        String email = importEligible("piotr");
        suppress(email, "manual");
        suppress(email, "complaint");
        suppress(email, "bounced");

        assertThat(reason(campaign())).isEqualTo("suppressed_bounced");
    }

    @Test
    void complaintBeforeManual() {
        String email = importEligible("renata");
        suppress(email, "manual");
        suppress(email, "complaint");

        assertThat(reason(campaign())).isEqualTo("suppressed_complaint");
    }

    @Test
    void manualBeforeNoConsent() {
        String email = email("sebastian");
        importRows(row(email));
        suppress(email, "manual");

        assertThat(reason(campaign())).isEqualTo("suppressed_manual");
    }

    @Test
    void manualBeforeWithdrawn() {
        String email = email("tamara");
        importRows(row(email).granted(now.minusDays(30)).confirmed(), row(email).withdrawn(now.minusDays(2)));
        suppress(email, "manual");

        assertThat(reason(campaign())).isEqualTo("suppressed_manual");
    }

    @Test
    void withdrawnBeforeUnconfirmedAndExpired() {
        String email = email("urszula");
        importRows(row(email).granted(now.minusYears(4)), row(email).withdrawn(now.minusYears(3)));

        assertThat(reason(campaign().maxConsentAge(Period.ofMonths(24)))).isEqualTo("consent_withdrawn");
    }

    @Test
    void unconfirmedBeforeExpired() {
        importRows(row(email("wojtek")).granted(now.minusYears(3)));

        assertThat(reason(campaign().maxConsentAge(Period.ofMonths(24)))).isEqualTo("unconfirmed");
    }

    @Test
    void expiredBeforeMinor() {
        importRows(row(email("zosia")).born(today.minusYears(14)).granted(now.minusYears(3)).confirmed());

        assertThat(reason(campaign().maxConsentAge(Period.ofMonths(24)))).isEqualTo("consent_expired");
    }

    @Test
    void minorBeforeAlreadySent() {
        String email = email("adam");
        importRows(row(email).born(today.minusYears(12)).granted(now.minusDays(10)).confirmed());
        Campaign campaign = campaign();
        recordSent(campaign.name, email);

        assertThat(reason(campaign)).isEqualTo("minor_without_parental_consent");
    }

    // --- how consent history is read ------------------------------------------------------------

    @Test
    void grantAfterWithdrawAllMakesEligibleAgain() {
        String email = importEligible("beata");
        ConsentService consent = db.engine().consent();
        consent.withdraw(email, ConsentStatement.ALL_PURPOSES, "reply: stop everything", ACTOR);
        assertThat(reason(campaign())).isEqualTo("suppressed_unsubscribed");

        consent.grant(email, grantNow(PURPOSE, true), null, ACTOR);

        assertThat(reason(campaign())).isEqualTo("eligible");
        assertThat(reason(campaign().purpose("offers")))
                .as("the grant was for newsletter only; other purposes stay unsubscribed")
                .isEqualTo("suppressed_unsubscribed");
    }

    @Test
    void grantOlderThanWithdrawAllDoesNotLiftIt() {
        String email = email("cezary");
        importRows(row(email).granted(now.minusDays(5)).confirmed(),
                row(email).purpose("*").status("withdrawn").at(now.minusDays(3)),
                row(email).granted(now.minusDays(4)).confirmed().source("an older form, imported late"));

        assertThat(reason(campaign())).isEqualTo("suppressed_unsubscribed");
    }

    @Test
    void withdrawAllAtTheSameTimeAsTheGrantWins() {
        String email = email("cyryl");
        OffsetDateTime at = now.minusDays(4);
        importRows(row(email).granted(at).confirmed(), row(email).purpose("*").status("withdrawn").at(at));

        assertThat(reason(campaign())).isEqualTo("suppressed_unsubscribed");
    }

    @Test
    void withdrawAllWithoutAnyConsentIsUnsubscribedNotNoConsent() {
        String email = email("dorota");
        importRows(row(email));
        db.engine().consent().withdraw(email, ConsentStatement.ALL_PURPOSES, null, ACTOR);

        assertThat(reason(campaign())).isEqualTo("suppressed_unsubscribed");
    }

    @Test
    void withdrawingThePurposeAfterWithdrawAllStaysUnsubscribed() {
        String email = importEligible("emil");
        ConsentService consent = db.engine().consent();
        consent.withdraw(email, ConsentStatement.ALL_PURPOSES, null, ACTOR);
        consent.withdraw(email, PURPOSE, null, ACTOR);

        // the request to receive nothing at all was never lifted by a newer grant: rule 2 fails first
        assertThat(reason(campaign())).isEqualTo("suppressed_unsubscribed");
    }

    @Test
    void withdrawalFollowedByRegrantIsEligible() {
        String email = email("fabian");
        importRows(row(email).granted(now.minusDays(300)).confirmed(),
                row(email).withdrawn(now.minusDays(200)),
                row(email).granted(now.minusDays(100)).confirmed().source("came back via the shop"));

        assertThat(reason(campaign())).isEqualTo("eligible");
    }

    @Test
    void regrantByCommandAfterWithdrawalByCommand() {
        String email = importEligible("grazyna");
        ConsentService consent = db.engine().consent();
        consent.withdraw(email, PURPOSE, null, ACTOR);
        assertThat(reason(campaign())).isEqualTo("consent_withdrawn");

        consent.grant(email, grantNow(PURPOSE, true), null, ACTOR);

        assertThat(reason(campaign())).isEqualTo("eligible");
    }

    @Test
    void latestByConsentTimeNotByFileOrder() {
        String granted = email("hubert");
        String withdrawn = email("irena");
        importRows(row(granted).granted(now.minusDays(10)).confirmed(),
                row(granted).withdrawn(now.minusDays(400)),
                row(withdrawn).withdrawn(now.minusDays(10)),
                row(withdrawn).granted(now.minusDays(400)).confirmed());

        assertThat(reason(campaign(), granted)).isEqualTo("eligible");
        assertThat(reason(campaign(), withdrawn)).isEqualTo("consent_withdrawn");
    }

    @Test
    void sameConsentTimeTheLaterRecordDecides() {
        String email = email("jerzy");
        OffsetDateTime at = now.minusDays(10);
        importRows(row(email).granted(at).confirmed(), row(email).withdrawn(at));

        assertThat(reason(campaign())).isEqualTo("consent_withdrawn");
    }

    @Test
    void expiryAndConfirmationAreJudgedOnTheLatestRecord() {
        String email = email("kamil");
        importRows(row(email).granted(now.minusYears(5)).confirmed(),
                row(email).granted(now.minusDays(20)).source("renewed at the counter"));

        assertThat(reason(campaign().maxConsentAge(Period.ofMonths(24)))).isEqualTo("unconfirmed");
        assertThat(reason(campaign().maxConsentAge(Period.ofMonths(24)).requireConfirmed(false)))
                .isEqualTo("eligible");
    }

    @Test
    void existingCustomerNeedsTheCampaignToAllowIt() {
        importRows(row(email("lidia")).granted(now.minusDays(10)).basis("existing_customer"));

        assertThat(reason(campaign())).isEqualTo("no_consent");
        assertThat(reason(campaign().allowExistingCustomers(true)))
                .as("allowed, and without confirmation although require-confirmed is true")
                .isEqualTo("eligible");
    }

    @Test
    void ignoredExistingCustomerRecordLeavesTheConsentRecordsToDecide() {
        String withdrawn = email("mariusz");
        String granted = email("natalia");
        importRows(row(withdrawn).granted(now.minusDays(100)).confirmed(),
                row(withdrawn).withdrawn(now.minusDays(50)),
                row(withdrawn).granted(now.minusDays(10)).basis("existing_customer"),
                row(granted).granted(now.minusDays(100)),
                row(granted).granted(now.minusDays(10)).basis("existing_customer"));

        assertThat(reason(campaign(), withdrawn)).isEqualTo("consent_withdrawn");
        assertThat(reason(campaign(), granted)).isEqualTo("unconfirmed");
        assertThat(reason(campaign().allowExistingCustomers(true), granted)).isEqualTo("eligible");
    }

    @Test
    void aPurchaseAfterAnObjectionDoesNotRestoreTheSoftOptIn() {
        String objected = email("teodor");
        importRows(row(objected).granted(now.minusDays(100)).basis("existing_customer"),
                row(objected).withdrawn(now.minusDays(50)),
                row(objected).granted(now.minusDays(10)).basis("existing_customer"));

        assertThat(reason(campaign().allowExistingCustomers(true), objected)).isEqualTo("consent_withdrawn");
    }

    @Test
    void existingCustomerStillObeysExpiryAndAge() {
        importRows(row(email("oskar")).granted(now.minusYears(3)).basis("existing_customer"),
                row(email("paula")).born(today.minusYears(13)).granted(now.minusDays(3)).basis("existing_customer"));
        Campaign campaign = campaign().allowExistingCustomers(true).maxConsentAge(Period.ofMonths(24));

        assertThat(reason(campaign, email("oskar"))).isEqualTo("consent_expired");
        assertThat(reason(campaign, email("paula"))).isEqualTo("minor_without_parental_consent");
    }

    @Test
    void requireConfirmedFalseLetsUnconfirmedThrough() {
        importRows(row(email("rafal")).granted(now.minusDays(10)));

        assertThat(reason(campaign().requireConfirmed(true))).isEqualTo("unconfirmed");
        assertThat(reason(campaign().requireConfirmed(false))).isEqualTo("eligible");
    }

    @Test
    void noMaxConsentAgeNeverExpires() {
        importRows(row(email("sylwia")).granted(now.minusYears(30)).confirmed());

        assertThat(reason(campaign().maxConsentAge(null))).isEqualTo("eligible");
        assertThat(reason(campaign().maxConsentAge(Period.ofYears(29)))).isEqualTo("consent_expired");
    }

    @Test
    void maxConsentAgeInDays() {
        importRows(row(email("tomasz")).granted(now.minusDays(40)).confirmed());

        assertThat(reason(campaign().maxConsentAge(Period.ofDays(30)))).isEqualTo("consent_expired");
        assertThat(reason(campaign().maxConsentAge(Period.ofDays(50)))).isEqualTo("eligible");
    }

    @Test
    void minorWithParentalConsentIsEligible() {
        importRows(row(email("ula")).born(today.minusYears(12)).granted(now.minusDays(10)).confirmed().parental());

        assertThat(reason(campaign())).isEqualTo("eligible");
    }

    @Test
    void parentalConsentMustBeOnTheLatestRecord() {
        String email = email("wiktor");
        importRows(row(email).born(today.minusYears(12)).granted(now.minusDays(100)).confirmed().parental(),
                row(email).born(today.minusYears(12)).granted(now.minusDays(10)).confirmed());

        assertThat(reason(campaign())).isEqualTo("minor_without_parental_consent");
    }

    @Test
    void minimumAgeZeroLetsChildrenThrough() {
        importRows(row(email("ksawery")).born(today.minusYears(3)).granted(now.minusDays(10)).confirmed());

        assertThat(reason(campaign().minimumAge(0))).isEqualTo("eligible");
        assertThat(reason(campaign().minimumAge(16))).isEqualTo("minor_without_parental_consent");
    }

    @Test
    void minimumAgeIsReachedOnTheBirthday() {
        String adult = email("yvonne");
        String minor = email("zenon");
        String unknown = email("agata");
        importRows(row(adult).born(today.minusYears(16)).granted(now.minusDays(10)).confirmed(),
                row(minor).born(today.minusYears(16).plusDays(1)).granted(now.minusDays(10)).confirmed(),
                row(unknown).granted(now.minusDays(10)).confirmed());

        assertThat(reason(campaign(), adult)).isEqualTo("eligible");
        assertThat(reason(campaign(), minor)).isEqualTo("minor_without_parental_consent");
        assertThat(reason(campaign(), unknown)).as("no birth date").isEqualTo("eligible");
    }

    // --- audience filters -----------------------------------------------------------------------

    @Test
    void tagsMatchAnyOfTheListAndOthersAreNotConsidered() {
        String customer = email("customer");
        String reader = email("reader");
        String both = email("both");
        String outsider = email("outsider");
        importRows(row(customer).tags(tag + "-customers").granted(now.minusDays(5)).confirmed(),
                row(reader).tags(tag + "-readers").granted(now.minusDays(5)),
                row(both).tags(tag + "-customers;" + tag + "-readers").granted(now.minusDays(5)).confirmed(),
                row(outsider).tags(tag + "-suppliers"));

        Campaign campaign = campaign().tags(tag + "-customers", tag + "-readers");
        SendReport report = new DryRun(db.engine().campaignPorts()).gateOnly(campaign.spec());

        assertThat(report.considered()).isEqualTo(3);
        assertThat(report.eligible()).isEqualTo(2);
        assertThat(report.excluded()).containsEntry("unconfirmed", 1L).containsEntry("no_consent", 0L);
        assertThat(eligibleAddresses(campaign)).containsExactlyInAnyOrder(customer, both);
    }

    @Test
    void tagsAreComparedExactly() {
        importRows(row(email("olga")).tags(tag + "-VIP").granted(now.minusDays(5)).confirmed());

        assertThat(new DryRun(db.engine().campaignPorts()).gateOnly(campaign().tags(tag + "-vip").spec()).considered()).isZero();
        assertThat(reason(campaign().tags(tag + "-VIP"))).isEqualTo("eligible");
    }

    @Test
    void localesMatchCaseInsensitively() {
        String serbian = email("dragan");
        String polish = email("jola");
        String english = email("john");
        String none = email("nobody");
        importRows(row(serbian).locale("sr-latn").granted(now.minusDays(5)).confirmed(),
                row(polish).locale("PL").granted(now.minusDays(5)).confirmed(),
                row(english).locale("en").granted(now.minusDays(5)).confirmed(),
                row(none).granted(now.minusDays(5)).confirmed());

        assertThat(storedLocale(serbian)).as("stored in canonical case").isEqualTo("sr-Latn");
        Campaign campaign = campaign().locales("sr-Latn", "pl");
        assertThat(eligibleAddresses(campaign)).containsExactlyInAnyOrder(serbian, polish);
        assertThat(eligibleAddresses(campaign().locales("SR-LATN"))).containsExactly(serbian);
        assertThat(eligibleAddresses(campaign().locales("sr-latn"))).containsExactly(serbian);
        assertThat(new DryRun(db.engine().campaignPorts()).gateOnly(campaign.spec()).considered()).isEqualTo(2);
    }

    @Test
    void tagsAndLocalesAreAnded() {
        String both = email("both");
        importRows(row(both).tags(tag + "-a").locale("pl").granted(now.minusDays(5)).confirmed(),
                row(email("tag-only")).tags(tag + "-a").locale("en").granted(now.minusDays(5)).confirmed(),
                row(email("locale-only")).tags(tag + "-b").locale("pl").granted(now.minusDays(5)).confirmed());

        Campaign campaign = campaign().tags(tag + "-a").locales("pl");
        assertThat(eligibleAddresses(campaign)).containsExactly(both);
        assertThat(new DryRun(db.engine().campaignPorts()).gateOnly(campaign.spec()).considered()).isEqualTo(1);
    }

    @Test
    void excludedContactsOutsideTheAudienceAreNotCountedAnywhere() {
        String inside = email("inside");
        String outside = email("outside");
        importRows(row(inside).tags(tag + "-in").granted(now.minusDays(5)).confirmed(),
                row(outside).tags(tag + "-out"));
        suppress(outside, "bounced");

        SendReport report = new DryRun(db.engine().campaignPorts()).gateOnly(campaign().tags(tag + "-in").spec());

        assertThat(report.considered()).isEqualTo(1);
        assertThat(report.eligible()).isEqualTo(1);
        assertThat(report.excluded().values()).containsOnly(0L);
    }

    // --- the report and the dry run -------------------------------------------------------------

    @Test
    void dryRunReportHasEveryReasonCodeInTableOrderWithZeros() {
        SendReport report = new DryRun(db.engine().campaignPorts()).gateOnly(campaign().tags("nobody-has-this-tag").spec());

        assertThat(report.dryRun()).isTrue();
        assertThat(report.campaign()).isEqualTo("campaign-" + tag);
        assertThat(report.considered()).isZero();
        assertThat(report.eligible()).isZero();
        assertThat(report.excluded().keySet()).containsExactly("invalid_address", "suppressed_unsubscribed",
                "suppressed_bounced", "suppressed_complaint", "suppressed_manual", "no_consent",
                "consent_withdrawn", "unconfirmed", "consent_expired", "minor_without_parental_consent",
                "already_sent");
        assertThat(report.excluded().values()).containsOnly(0L);
        assertThat(report.sent() + report.failed() + report.deferred() + report.unknown()).isZero();
        assertThat(report.errors()).isEmpty();
        assertThat(report.valid()).isTrue();
    }

    @Test
    void gateReportAlwaysHasEveryReason() {
        GateReport report = new ConsentGate(db.stores().gate()).report(campaign().spec().gateRules(null));

        assertThat(report.excluded()).containsOnlyKeys(ExclusionReason.values());
        assertThat(report.excluded().values()).containsOnly(0L);
    }

    @Test
    void consideredIsEligiblePlusExcludedAndEqualsTheWholeAudience() {
        importRows(row(email("a")).granted(now.minusDays(5)).confirmed(),
                row(email("b")).granted(now.minusDays(5)),
                row(email("c")));
        Campaign everyone = campaign().everyone().maxConsentAge(Period.ofMonths(24));

        for (Campaign campaign : List.of(everyone, everyone.copy().requireConfirmed(false),
                everyone.copy().allowExistingCustomers(true).maxConsentAge(null).minimumAge(0),
                campaign())) {
            SendReport report = new DryRun(db.engine().campaignPorts()).gateOnly(campaign.spec());
            long excluded = report.excluded().values().stream().mapToLong(Long::longValue).sum();
            assertThat(report.considered()).isEqualTo(report.eligible() + excluded);
            GateReport gate = new ConsentGate(db.stores().gate()).report(campaign.spec().gateRules(null));
            assertThat(gate.considered()).isEqualTo(report.considered());
            assertThat((long) eligibleAddresses(campaign).size()).isEqualTo(report.eligible());
        }
        assertThat(new DryRun(db.engine().campaignPorts()).gateOnly(everyone.spec()).considered())
                .isEqualTo(db.count("select count(*) from contact"));
    }

    @Test
    void dryRunWritesNothing() {
        String email = importEligible("quiet");
        importRows(row(email("quiet-minor")).born(today.minusYears(10)).granted(now.minusDays(5)).confirmed());
        suppress(email("quiet-minor"), "manual");
        Campaign existing = campaign().name("existing-" + tag);
        recordSent(existing.name, email);
        Map<String, String> before = tableFingerprints();

        SendReport fresh = new DryRun(db.engine().campaignPorts()).gateOnly(campaign().name("never-sent-" + tag).everyone().spec());
        SendReport resumed = new DryRun(db.engine().campaignPorts()).gateOnly(existing.spec());

        assertThat(fresh.considered()).isPositive();
        assertThat(resumed.excluded()).containsEntry("already_sent", 1L);
        assertThat(tableFingerprints()).isEqualTo(before);
        assertThat(db.count("select count(*) from campaign where name = 'never-sent-" + tag + "'")).isZero();
    }

    // --- campaigns ------------------------------------------------------------------------------

    /** A campaign spec under construction; defaults as in a typical campaign file. */
    private final class Campaign {
        String name = "campaign-" + tag;
        String purpose = PURPOSE;
        List<String> tags = List.of(tag);
        List<String> locales = List.of();
        boolean requireConfirmed = CampaignSpec.DEFAULT_REQUIRE_CONFIRMED;
        boolean allowExistingCustomers = CampaignSpec.DEFAULT_ALLOW_EXISTING_CUSTOMERS;
        Period maxConsentAge = Period.ofMonths(24);
        int minimumAge = CampaignSpec.DEFAULT_MINIMUM_AGE;

        Campaign name(String value) {
            name = value;
            return this;
        }

        Campaign purpose(String value) {
            purpose = value;
            return this;
        }

        Campaign tags(String... values) {
            tags = List.of(values);
            return this;
        }

        Campaign locales(String... values) {
            locales = List.of(values);
            return this;
        }

        Campaign everyone() {
            tags = List.of();
            locales = List.of();
            return this;
        }

        Campaign requireConfirmed(boolean value) {
            requireConfirmed = value;
            return this;
        }

        Campaign allowExistingCustomers(boolean value) {
            allowExistingCustomers = value;
            return this;
        }

        Campaign maxConsentAge(Period value) {
            maxConsentAge = value;
            return this;
        }

        Campaign minimumAge(int value) {
            minimumAge = value;
            return this;
        }

        Campaign copy() {
            Campaign copy = new Campaign();
            copy.name = name;
            copy.purpose = purpose;
            copy.tags = tags;
            copy.locales = locales;
            copy.requireConfirmed = requireConfirmed;
            copy.allowExistingCustomers = allowExistingCustomers;
            copy.maxConsentAge = maxConsentAge;
            copy.minimumAge = minimumAge;
            return copy;
        }

        CampaignSpec spec() {
            return new CampaignSpec(name, purpose, "newsletter", "Hello", MailboxAddress.parse(
                    "Kawiarnia Nowak <news@kawiarnia.example>").orElseThrow(), null,
                    new Audience(tags, locales), requireConfirmed, allowExistingCustomers, maxConsentAge,
                    minimumAge, null, null, null);
        }
    }

    private Campaign campaign() {
        return new Campaign();
    }

    /**
     * The gate's verdict on the only contact of the campaign's audience: its reason code, or
     * "eligible". Also checks that the counting query and the recipient query agree.
     */
    private String reason(Campaign campaign) {
        SendReport report = new DryRun(db.engine().campaignPorts()).gateOnly(campaign.spec());
        assertThat(report.considered()).as("contacts considered").isEqualTo(1);
        List<String> eligible = eligibleAddresses(campaign);
        assertThat((long) eligible.size()).as("eligible recipients").isEqualTo(report.eligible());
        if (report.eligible() == 1) {
            assertThat(report.excluded().values()).containsOnly(0L);
            return "eligible";
        }
        List<String> reasons = report.excluded().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(Map.Entry::getKey).toList();
        assertThat(reasons).hasSize(1);
        return reasons.get(0);
    }

    /** The verdict on one contact of a larger audience. */
    private String reason(Campaign campaign, String email) {
        String norm = EmailAddress.normalize(email).orElseThrow();
        String tagOfOne = tag + "-only-" + SEQUENCE.incrementAndGet();
        db.update("update contact set tags = tags || ?::text where email_norm = ?", tagOfOne, norm);
        try {
            return reason(campaign.copy().tags(tagOfOne));
        } finally {
            db.update("update contact set tags = array_remove(tags, ?::text) where email_norm = ?", tagOfOne, norm);
        }
    }

    private List<String> eligibleAddresses(Campaign campaign) {
        CampaignSpec spec = campaign.spec();
        return db.database().withConnection(connection -> {
            Long campaignId = db.stores().campaigns().findId(spec.name()).orElse(null);
            return GateQuery.eligible(connection, spec.gateRules(campaignId), 1000).stream()
                    .map(dev.mailer.audience.Recipient::emailNormalized).toList();
        });
    }

    // --- contacts -------------------------------------------------------------------------------

    private String email(String local) {
        return local + "." + tag + "@example.com";
    }

    /** Imports a contact with a confirmed, recent consent for the purpose; returns its address. */
    private String importEligible(String local) {
        String email = email(local);
        importRows(row(email).granted(now.minusDays(30)).confirmed());
        return email;
    }

    /** A contact with an address the import would refuse, as an old platform might have left it. */
    private long insertUnvalidated(String raw, boolean withConsent) {
        return db.database().inTransaction(connection -> {
            ConsentStore people = db.stores().consent();
            long id = people.ensureContact(new EmailAddress(raw, raw.toLowerCase(Locale.ROOT)), "Legacy", "pl",
                    List.of(tag));
            if (withConsent) {
                people.appendConsent(id, new ConsentStatement(PURPOSE, ConsentStatement.GRANTED, now.minusDays(30),
                        "old platform", null, null, now.minusDays(30), ConsentStatement.BASIS_CONSENT, false),
                        null, ACTOR);
            }
            return id;
        });
    }

    private static ConsentStatement grantNow(String purpose, boolean confirmed) {
        return new ConsentStatement(purpose, ConsentStatement.GRANTED, null, "https://kawiarnia.example/form",
                "203.0.113.9", "v2", confirmed ? OffsetDateTime.now() : null, ConsentStatement.BASIS_CONSENT, false);
    }

    private static void suppress(String email, String reason) {
        assertThat(db.engine().suppressions().add(email, reason, "test", ACTOR)).isTrue();
    }

    /** Records a delivery of the campaign to the contact, creating the campaign; returns its id. */
    private static long recordSent(String campaignName, String email) {
        return db.database().inTransaction(connection -> {
            CampaignRecords campaigns = db.stores().campaigns();
            long campaignId = campaigns.findOrCreate(campaignName, PURPOSE, "newsletter", "{}");
            long contactId = db.stores().consent().findContact(EmailAddress.normalize(email).orElseThrow())
                    .orElseThrow().id();
            campaigns.recordSent(campaignId, contactId, "250 2.0.0 Ok: queued", "<" + contactId + "@test>");
            return campaignId;
        });
    }

    private static void setDeliveryStatus(long campaignId, String email, String status) {
        db.update("update delivery set status = ? where campaign_id = ? and contact_id = "
                + "(select id from contact where email_norm = ?)", status, campaignId,
                EmailAddress.normalize(email).orElseThrow());
    }

    private static String storedLocale(String email) {
        return db.database().withConnection(connection -> db.stores().consent()
                .findContact(EmailAddress.normalize(email).orElseThrow()).orElseThrow().locale());
    }

    // --- CSV ------------------------------------------------------------------------------------

    /** One CSV row; consent columns stay empty until a consent is set. */
    private final class Row {
        final Map<String, String> cells = new LinkedHashMap<>();

        Row(String email) {
            cells.put("email", email);
            cells.put("name", "Test " + email.substring(0, email.indexOf('.')));
            cells.put("tags", tag);
        }

        Row set(String column, Object value) {
            cells.put(column, value == null ? "" : value.toString());
            return this;
        }

        Row tags(String value) {
            return set("tags", value);
        }

        Row locale(String value) {
            return set("locale", value);
        }

        Row born(LocalDate value) {
            return set("birth_date", value);
        }

        Row granted(OffsetDateTime at) {
            return set("consent_purpose", PURPOSE).set("consent_status", "granted").at(at);
        }

        Row withdrawn(OffsetDateTime at) {
            return set("consent_purpose", PURPOSE).set("consent_status", "withdrawn").at(at);
        }

        Row purpose(String value) {
            return set("consent_purpose", value);
        }

        Row status(String value) {
            return set("consent_status", value);
        }

        Row at(OffsetDateTime value) {
            return set("consent_at", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(value));
        }

        Row confirmed() {
            OffsetDateTime at = OffsetDateTime.parse(cells.get("consent_at"));
            return set("confirmed_at", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(at.plusHours(1)));
        }

        Row basis(String value) {
            return set("lawful_basis", value);
        }

        Row parental() {
            return set("parental_consent", "true");
        }

        Row source(String value) {
            return set("consent_source", value);
        }
    }

    private Row row(String email) {
        return new Row(email);
    }

    private void importRows(Row... rows) {
        StringBuilder csv = new StringBuilder(String.join(",", COLUMNS)).append("\r\n");
        for (Row row : rows) {
            csv.append(COLUMNS.stream().map(c -> quote(row.cells.getOrDefault(c, "")))
                    .collect(Collectors.joining(","))).append("\r\n");
        }
        try {
            Path file = Files.createTempFile(dir, "contacts", ".csv");
            Files.writeString(file, csv, StandardCharsets.UTF_8);
            ImportResult result = db.engine().contactImport().run(file, "test form", true, ACTOR, null);
            assertThat(result.rejects()).as("rejected rows").isEmpty();
            assertThat(result.aborted()).isFalse();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quote(String value) {
        return value.contains(",") || value.contains("\"") || value.contains("\n")
                ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    // --- SQL ------------------------------------------------------------------------------------

    /** Row count and content hash of every table in the schema. */
    private static Map<String, String> tableFingerprints() {
        List<String> tables = db.tables();
        assertThat(tables).contains("contact", "consent_record", "suppression", "audit_log", "campaign",
                "delivery", "feedback_event");
        return db.fingerprints();
    }
}
