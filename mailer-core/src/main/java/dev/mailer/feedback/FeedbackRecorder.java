package dev.mailer.feedback;

import dev.mailer.consent.ConsentRecord;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.message.Token;
import dev.mailer.store.AuditLog;
import dev.mailer.store.Database;
import dev.mailer.store.FeedbackStore;
import dev.mailer.store.FeedbackStore.CampaignRef;
import dev.mailer.store.FeedbackStore.ContactRef;
import dev.mailer.store.PeopleStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Writes feedback back so nobody is mailed against their will twice: a hard bounce suppresses the
 * address, soft bounces do once {@link SoftBouncePolicy} says so, a complaint suppresses, an
 * unsubscribe withdraws the consent. Each event is recorded once (by its source key), so reading
 * the same mailbox again changes nothing. One transaction per event.
 */
public final class FeedbackRecorder {
    private final Database database;
    private final SoftBouncePolicy policy;
    private final String origin;

    /** What became of one piece of feedback. */
    public enum Result {
        /** recorded now, with its consequence (suppression or withdrawal) */
        RECORDED,
        /** recorded before: nothing changed */
        ALREADY_RECORDED,
        /** not feedback to act on: an auto-reply, a delay warning, an erased person */
        IGNORED,
        /** no contact, campaign or address could be tied to it */
        UNMATCHED
    }

    /**
     * @param origin who records, for suppressions and the audit log (e.g. {@code feedback poll})
     */
    public FeedbackRecorder(Database database, SoftBouncePolicy policy, String origin) {
        this.database = database;
        this.policy = policy;
        this.origin = origin;
    }

    /** Records a bounce, complaint or mailto unsubscribe found by {@link FeedbackParser}. */
    public Result record(Feedback feedback) {
        if (feedback.type() == FeedbackType.UNKNOWN
                || feedback.type() == FeedbackType.BOUNCE && "delayed".equalsIgnoreCase(feedback.action())) {
            return Result.IGNORED; // a delay warning is not a bounce: the MTA is still trying
        }
        return database.inTransaction(connection -> {
            FeedbackStore store = new FeedbackStore(connection);
            Optional<ContactRef> contact = feedback.contactId() == null ? Optional.empty()
                    : store.contact(feedback.contactId());
            Optional<CampaignRef> campaign = feedback.campaignId() == null ? Optional.empty()
                    : store.campaign(feedback.campaignId());
            PeopleStore people = new PeopleStore(connection);
            String email = contact.map(ContactRef::normalizedEmail)
                    .orElseGet(() -> EmailAddress.normalize(feedback.recipient() == null ? "" : feedback.recipient())
                            .orElse(null));
            if (contact.isEmpty() && email != null) {
                contact = people.findContact(email).map(c -> new ContactRef(c.id(), c.emailNormalized(), c.locale()));
            }
            if (email == null) {
                return Result.UNMATCHED;
            }
            if (contact.isEmpty() && people.isErased(email)) {
                return Result.IGNORED; // erased people stay erased: never stored in clear again
            }
            if (feedback.type() == FeedbackType.UNSUBSCRIBE) {
                // only a signed token says who asked: a From line can be forged by anyone
                return feedback.contactId() == null || contact.isEmpty() ? Result.UNMATCHED
                        : withdraw(connection, contact.get(), campaign.orElse(null), feedback.purpose(), false,
                        "unsubscribe e-mail", null, null);
            }
            Long contactId = contact.map(ContactRef::id).orElse(null);
            boolean isNew = store.insertEvent(new FeedbackStore.Event(feedback.sourceKey(), feedback.type().json(),
                    contactId, campaign.map(CampaignRef::id).orElse(null),
                    feedback.type() == FeedbackType.BOUNCE ? feedback.hard() : null, feedback.status(),
                    feedback.diagnostic()));
            if (!isNew) {
                return Result.ALREADY_RECORDED;
            }
            suppress(connection, store, people, feedback, email, contactId);
            return Result.RECORDED;
        });
    }

    /**
     * An unsubscribe through a signed link ({@code mailer serve}): withdraws the consent for the
     * token's purpose, else the campaign's, or for everything.
     *
     * @param channel how it reached us, e.g. {@code one-click unsubscribe}; kept as the consent's source
     */
    public Result unsubscribe(Token token, boolean everything, String channel, String ip, String userAgent) {
        return database.inTransaction(connection -> {
            FeedbackStore store = new FeedbackStore(connection);
            Optional<ContactRef> contact = store.contact(token.contactId());
            if (contact.isEmpty()) {
                return Result.UNMATCHED; // erased, or a token of another database
            }
            CampaignRef campaign = token.campaignId() == 0 ? null : store.campaign(token.campaignId()).orElse(null);
            return withdraw(connection, contact.get(), campaign, token.purpose(), everything, channel, ip, userAgent);
        });
    }

    private Result withdraw(Connection connection, ContactRef contact, CampaignRef campaign, String tokenPurpose,
                            boolean everything, String channel, String ip, String userAgent) throws SQLException {
        String purpose = everything ? ConsentStatement.ALL_PURPOSES
                : tokenPurpose != null ? tokenPurpose
                : campaign != null ? campaign.purpose()
                : ConsentStatement.ALL_PURPOSES;
        FeedbackStore store = new FeedbackStore(connection);
        // Once per campaign and person: a mailto and a one-click unsubscribe for the same message count once.
        String key = "unsubscribe:" + (campaign == null ? 0 : campaign.id()) + ":" + contact.id()
                + (everything ? ":all" : "");
        boolean isNew = store.insertEvent(new FeedbackStore.Event(key, FeedbackType.UNSUBSCRIBE.json(), contact.id(),
                campaign == null ? null : campaign.id(), null, null, purpose));
        PeopleStore people = new PeopleStore(connection);
        if (isWithdrawn(people, contact.id(), purpose)) {
            return isNew ? Result.RECORDED : Result.ALREADY_RECORDED;
        }
        String source = channel + (campaign == null ? "" : " (campaign " + campaign.name() + ")");
        people.appendConsent(contact.id(), new ConsentStatement(purpose, ConsentStatement.WITHDRAWN, null, source, ip,
                null, null, ConsentStatement.BASIS_CONSENT, false), userAgent, origin);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("purpose", purpose);
        detail.put("source", source);
        AuditLog.record(connection, origin, "consent.withdraw", contact.normalizedEmail(), detail);
        return Result.RECORDED;
    }

    /** Whether the latest record for the purpose is already a withdrawal (then nothing is appended). */
    private static boolean isWithdrawn(PeopleStore people, long contactId, String purpose) throws SQLException {
        return people.consentHistory(contactId).stream()
                .filter(r -> r.purpose().equals(purpose))
                .max(Comparator.comparing(ConsentRecord::consentAt).thenComparing(ConsentRecord::id))
                .map(r -> ConsentStatement.WITHDRAWN.equals(r.status()))
                .orElse(false);
    }

    private void suppress(Connection connection, FeedbackStore store, PeopleStore people, Feedback feedback,
                          String email, Long contactId) throws SQLException {
        boolean added;
        String reason;
        if (feedback.type() == FeedbackType.COMPLAINT) {
            reason = "complaint";
            added = people.addSuppression(email, reason, "spam complaint", origin);
        } else if (feedback.hard()) {
            reason = "bounced";
            added = people.addSuppression(email, reason, bounceDetail(feedback), origin);
        } else {
            reason = "bounced";
            added = contactId != null
                    && store.suppressAfterSoftBounces(contactId, policy.limit(), policy.windowDays(), origin);
        }
        if (added) {
            AuditLog.record(connection, origin, "suppress.add", email, Map.of("reason", reason));
        }
    }

    private static String bounceDetail(Feedback feedback) {
        String detail = "hard bounce" + (feedback.status() == null ? "" : " " + feedback.status())
                + (feedback.diagnostic() == null ? "" : ": " + feedback.diagnostic());
        return detail.length() > 500 ? detail.substring(0, 500) : detail;
    }
}
