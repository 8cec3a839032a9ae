package dev.mailer.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.audience.ExclusionReason;
import dev.mailer.audience.GateRules;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.message.Token;
import dev.mailer.suppression.SoftBouncePolicy;
import dev.mailer.store.GateQuery;
import dev.mailer.store.TestDatabase;
import dev.mailer.subject.DataSubject;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Feedback written back (issue 5 item 2) against a real PostgreSQL: once each, with its consequence. */
class FeedbackRecorderTest {
    private TestDatabase db;
    private FeedbackRecorder recorder;
    private long campaignId;

    @BeforeEach
    void setUp() {
        db = TestDatabase.fresh();
        recorder = db.engine().feedbackRecorder(SoftBouncePolicy.DEFAULT, "feedback poll");
        ConsentService consent = db.engine().consent();
        for (String email : List.of("anna@example.com", "bob@example.com", "carl@example.com", "dora@example.com")) {
            consent.grant(email, new ConsentStatement("newsletter", ConsentStatement.GRANTED, null, "form", null, null,
                    null, ConsentStatement.BASIS_CONSENT, false), null, "test");
        }
        db.update("insert into campaign (name, purpose, template, spec) values ('n-1', 'newsletter', 'n', '{}')");
        campaignId = db.count("select id from campaign where name = 'n-1'");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aHardBounceSuppressesTheAddressOnce() {
        Feedback bounce = bounce("anna@example.com", true, "5.1.1", "msg-1@mx#anna@example.com");

        assertThat(recorder.record(bounce)).isEqualTo(FeedbackRecorder.Result.RECORDED);
        assertThat(recorder.record(bounce)).isEqualTo(FeedbackRecorder.Result.ALREADY_RECORDED);

        assertThat(db.count("select count(*) from feedback_event where type = 'bounce' and hard")).isEqualTo(1);
        assertThat(db.rows("select reason, origin from suppression where email_norm = 'anna@example.com'"))
                .containsExactly(List.of("bounced", "feedback poll"));
    }

    @Test
    void aBounceForAnExpandedAliasSuppressesTheAddressWeMailed() {
        Feedback bounce = bounce("skarbnik@lists.example", true, "5.1.1", "alias-1").sentTo("anna@example.com");

        assertThat(recorder.record(bounce)).isEqualTo(FeedbackRecorder.Result.RECORDED);

        assertThat(db.rows("select email_norm from suppression")).containsExactly(List.of("anna@example.com"));
    }

    @Test
    void feedbackWhoseTokenWasMadeForSomebodyElseTouchesNobody() {
        // signed with our secret in another database, where anna's id is somebody else's
        long anna = contactId("anna@example.com");
        Token foreign = new Token(Token.Kind.BOUNCE, campaignId, anna, null, java.time.LocalDate.now().toEpochDay(),
                "someone@other.example");
        Feedback bounce = new Feedback(FeedbackType.BOUNCE, "someone@other.example", "5.1.1", "failed", true,
                "550 5.1.1 user unknown", campaignId, anna, "foreign-1").withToken(foreign);
        Feedback unsubscribe = new Feedback(FeedbackType.UNSUBSCRIBE, "anna@example.com", null, null, false, null,
                campaignId, anna, "foreign-2").withToken(foreign);

        assertThat(recorder.record(bounce)).isEqualTo(FeedbackRecorder.Result.NOT_FROM_US);
        assertThat(recorder.record(unsubscribe)).isIn(FeedbackRecorder.Result.NOT_FROM_US,
                FeedbackRecorder.Result.UNMATCHED);
        assertThat(db.count("select count(*) from suppression")).isZero();
        assertThat(db.count("select count(*) from consent_record where status = 'withdrawn'")).isZero();
    }

    @Test
    void softBouncesSuppressOnlyAtTheThreshold() {
        for (int i = 1; i <= 2; i++) {
            assertThat(recorder.record(bounce("bob@example.com", false, "5.2.2", "soft-" + i)))
                    .isEqualTo(FeedbackRecorder.Result.RECORDED);
        }
        assertThat(db.count("select count(*) from suppression where email_norm = 'bob@example.com'")).isZero();

        recorder.record(bounce("bob@example.com", false, "4.2.2", "soft-3"));

        assertThat(db.rows("select reason, detail from suppression where email_norm = 'bob@example.com'"))
                .containsExactly(List.of("bounced", "3 soft bounces within 30 days"));
    }

    @Test
    void oldSoftBouncesDoNotCount() {
        recorder.record(bounce("bob@example.com", false, "5.2.2", "old-1"));
        recorder.record(bounce("bob@example.com", false, "5.2.2", "old-2"));
        db.update("update feedback_event set received_at = now() - interval '31 days'");

        recorder.record(bounce("bob@example.com", false, "5.2.2", "new-1"));

        assertThat(db.count("select count(*) from suppression where email_norm = 'bob@example.com'")).isZero();
    }

    @Test
    void bouncesThatAreTheSendersFaultSuppressNobodyAndNeverCountAsSoftBounces() {
        List<String> refusals = List.of(
                "550-5.7.26 This mail has been blocked because the sender is unauthenticated.",
                "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
                "550 5.7.515 Access denied, sending domain does not meet the required authentication level.",
                "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to user complaints");
        for (int i = 0; i < refusals.size(); i++) {
            Feedback refusal = new Feedback(FeedbackType.BOUNCE, "bob@example.com", "5.7.1", "failed", true,
                    refusals.get(i), campaignId, null, "sender-fault-" + i);
            assertThat(recorder.record(refusal)).isEqualTo(FeedbackRecorder.Result.SENDER_FAULT);
        }
        recorder.record(bounce("bob@example.com", false, "5.2.2", "soft-after"));

        assertThat(db.count("select count(*) from suppression where email_norm = 'bob@example.com'"))
                .as("four sender faults and one soft bounce: below the threshold of 3 soft bounces").isZero();
        assertThat(db.rows("select fault, hard::text, count(*) from feedback_event group by fault, hard order by fault"))
                .containsExactly(List.of("rate_limit", "false", "1"), List.of("recipient", "false", "1"),
                        List.of("sender", "false", "3"));
    }

    @Test
    void aComplaintSuppressesWithItsOwnReason() {
        Feedback complaint = new Feedback(FeedbackType.COMPLAINT, "carl@example.com", null, null, false, null,
                campaignId, null, "arf-1");

        assertThat(recorder.record(complaint)).isEqualTo(FeedbackRecorder.Result.RECORDED);

        assertThat(db.rows("select reason from suppression where email_norm = 'carl@example.com'"))
                .containsExactly(List.of("complaint"));
        assertThat(db.count("select count(*) from feedback_event where type = 'complaint' and campaign_id = ?",
                campaignId)).isEqualTo(1);
    }

    @Test
    void anUnsubscribeMailWithdrawsTheCampaignsPurposeOnceAndOneClickForTheSameMessageCountsOnce() {
        long dora = contactId("dora@example.com");
        Feedback mail = new Feedback(FeedbackType.UNSUBSCRIBE, null, null, null, false, null, campaignId, dora,
                "unsubscribe:tok");

        assertThat(recorder.record(mail)).isEqualTo(FeedbackRecorder.Result.RECORDED);
        assertThat(recorder.record(mail)).isEqualTo(FeedbackRecorder.Result.ALREADY_RECORDED);
        Token token = new Token(Token.Kind.UNSUBSCRIBE, campaignId, dora, null, LocalDate.now().toEpochDay());
        assertThat(recorder.unsubscribe(token, false, "one-click unsubscribe", "203.0.113.9", "curl"))
                .isEqualTo(FeedbackRecorder.Result.ALREADY_RECORDED);

        assertThat(db.rows("select purpose, status, source from consent_record where contact_id = ? order by id", dora))
                .containsExactly(List.of("newsletter", "granted", "form"),
                        List.of("newsletter", "withdrawn", "unsubscribe e-mail (campaign n-1)"));
        assertThat(db.count("select count(*) from feedback_event where type = 'unsubscribe'")).isEqualTo(1);
    }

    @Test
    void anUnsubscribeMailWithoutAVerifiedTokenChangesNothing() {
        Feedback forged = new Feedback(FeedbackType.UNSUBSCRIBE, "dora@example.com", null, null, false, null, null,
                null, "unsubscribe:forged");

        assertThat(recorder.record(forged)).isEqualTo(FeedbackRecorder.Result.UNMATCHED);
        assertThat(db.count("select count(*) from consent_record where status = 'withdrawn'")).isZero();
    }

    @Test
    void anUnsubscribeFromADoubleOptInMessageWithdrawsItsPurposeOnly() {
        long dora = contactId("dora@example.com");
        Feedback mail = new Feedback(FeedbackType.UNSUBSCRIBE, "dora@example.com", null, null, false, null, 0L, dora,
                "unsubscribe:optin", "offers");

        assertThat(recorder.record(mail)).isEqualTo(FeedbackRecorder.Result.RECORDED);
        assertThat(db.rows("select purpose, status from consent_record where contact_id = ? and status = 'withdrawn'",
                dora)).containsExactly(List.of("offers", "withdrawn"));
    }

    @Test
    void unsubscribeFromEverythingIsItsOwnEventAndWithdrawsAll() {
        long dora = contactId("dora@example.com");
        Token token = new Token(Token.Kind.UNSUBSCRIBE, campaignId, dora, null, LocalDate.now().toEpochDay());

        recorder.unsubscribe(token, false, "one-click unsubscribe", null, null);
        assertThat(recorder.unsubscribe(token, true, "unsubscribe page", "203.0.113.9", "Firefox"))
                .isEqualTo(FeedbackRecorder.Result.RECORDED);

        assertThat(db.rows("select purpose, status, ip, user_agent from consent_record where contact_id = ? and purpose = '*'",
                dora)).containsExactly(List.of("*", "withdrawn", "203.0.113.9", "Firefox"));
    }

    @Test
    void autoRepliesAndDelayWarningsChangeNothing() {
        Feedback auto = new Feedback(FeedbackType.UNKNOWN, "anna@example.com", null, null, false, null, null, null,
                "auto-1");
        Feedback delayed = new Feedback(FeedbackType.BOUNCE, "anna@example.com", "4.4.7", "delayed", false, null,
                null, null, "delay-1");

        assertThat(recorder.record(auto)).isEqualTo(FeedbackRecorder.Result.IGNORED);
        assertThat(recorder.record(delayed)).isEqualTo(FeedbackRecorder.Result.IGNORED);
        assertThat(db.count("select count(*) from feedback_event")).isZero();
        assertThat(db.count("select count(*) from suppression")).isZero();
    }

    @Test
    void anErasedPersonIsNeverStoredAgain() {
        db.engine().subjects().erase("anna@example.com", "test");

        assertThat(recorder.record(bounce("anna@example.com", true, "5.1.1", "after-erase")))
                .isEqualTo(FeedbackRecorder.Result.IGNORED);
        assertThat(db.count("select count(*) from suppression where email_norm is not null")).isZero();
    }

    @Test
    void aHardBounceForAnUnknownAddressStillBlocksItForLater() {
        assertThat(recorder.record(bounce("stranger@example.com", true, "5.1.1", "stranger")))
                .isEqualTo(FeedbackRecorder.Result.RECORDED);
        assertThat(db.rows("select reason from suppression where email_norm = 'stranger@example.com'"))
                .containsExactly(List.of("bounced"));
    }

    @Test
    void feedbackWithoutAnyAddressIsUnmatched() {
        assertThat(recorder.record(new Feedback(FeedbackType.BOUNCE, null, "5.1.1", "failed", true, null, null, null,
                "nobody"))).isEqualTo(FeedbackRecorder.Result.UNMATCHED);
    }

    @Test
    void theGateThenExcludesThemWithTheirReasons() {
        recorder.record(bounce("anna@example.com", true, "5.1.1", "g-1"));
        recorder.record(new Feedback(FeedbackType.COMPLAINT, "carl@example.com", null, null, false, null, null, null,
                "g-2"));
        recorder.unsubscribe(new Token(Token.Kind.UNSUBSCRIBE, campaignId, contactId("dora@example.com"), null, 0, "dora@example.com"),
                false, "one-click unsubscribe", null, null);

        GateRules rules = new GateRules("newsletter", false, false, null, 0, List.of(), List.of(), null);
        Map<String, String> reasons = new HashMap<>();
        db.database().withConnection(c -> {
            for (String email : List.of("anna@example.com", "bob@example.com", "carl@example.com", "dora@example.com")) {
                reasons.put(email, GateQuery.inspect(c, rules, email).orElseThrow().reason());
            }
            return null;
        });
        assertThat(reasons).containsEntry("anna@example.com", ExclusionReason.SUPPRESSED_BOUNCED.code())
                .containsEntry("carl@example.com", ExclusionReason.SUPPRESSED_COMPLAINT.code())
                .containsEntry("dora@example.com", ExclusionReason.CONSENT_WITHDRAWN.code())
                .containsEntry("bob@example.com", null);
    }

    private Feedback bounce(String email, boolean hard, String status, String key) {
        return new Feedback(FeedbackType.BOUNCE, email, status, "failed", hard, "550 " + status + " test",
                campaignId, null, key);
    }

    private long contactId(String email) {
        return db.count("select id from contact where email_norm = ?", email);
    }
}
