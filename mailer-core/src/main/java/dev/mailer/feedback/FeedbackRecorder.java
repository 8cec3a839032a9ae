package dev.mailer.feedback;

import dev.mailer.reply.Fault;
import dev.mailer.reply.ReplyVerdict;

import dev.mailer.audit.AuditTrail;
import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentStore;
import dev.mailer.consent.Contact;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.feedback.FeedbackEvents.Campaign;
import dev.mailer.message.Token;
import dev.mailer.suppression.SoftBouncePolicy;
import dev.mailer.suppression.SuppressionReason;
import dev.mailer.suppression.Suppressions;
import dev.mailer.transaction.Transactions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Writes feedback back so nobody is mailed against their will twice: a hard bounce suppresses the
 * address, soft bounces do once {@link SoftBouncePolicy} says so, a complaint suppresses, an
 * unsubscribe withdraws the consent. Each event is recorded once (by its source key), so reading
 * the same mailbox again changes nothing. One unit of work per event.
 */
public final class FeedbackRecorder {
    private final Transactions transactions;
    private final ConsentStore people;
    private final FeedbackEvents events;
    private final Suppressions suppressions;
    private final AuditTrail audit;
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
        UNMATCHED,
        /**
         * a bounce that is the sender's fault or a rate limit (SPEC §6a): recorded, but nobody is
         * suppressed and no one's soft-bounce count grows
         */
        SENDER_FAULT,
        /**
         * its token does not verify (forged, tampered, another installation's secret) and it names
         * nobody we mailed: nothing recorded, nobody suppressed. A stranger's bounce must not
         * block addresses we never wrote to.
         */
        NOT_FROM_US
    }

    /**
     * @param origin who records, for suppressions and the audit log (e.g. {@code feedback poll})
     */
    public FeedbackRecorder(Transactions transactions, ConsentStore people, FeedbackEvents events,
                            Suppressions suppressions, AuditTrail audit, SoftBouncePolicy policy, String origin) {
        this.transactions = transactions;
        this.people = people;
        this.events = events;
        this.suppressions = suppressions;
        this.audit = audit;
        this.policy = policy;
        this.origin = origin;
    }

    /** The origin of what permanent SMTP failures at send time record. */
    public static final String SMTP_REPLY = "smtp reply";

    /**
     * A permanent failure at send time, recorded once per delivery row like a bounce from the
     * mailbox: a hard one suppresses the address, soft ones count toward the policy's threshold.
     */
    public Result smtpBounce(long campaignId, long contactId, long deliveryId, boolean hard, String status,
                             String diagnostic) {
        return transactions.inTransaction(() -> {
            Optional<Contact> contact = people.contact(contactId);
            if (contact.isEmpty()) {
                return Result.IGNORED; // erased while the message was on its way
            }
            boolean isNew = events.insert(new FeedbackEvents.Event("smtp:" + deliveryId, FeedbackType.BOUNCE,
                    contactId, campaignId, hard, status, diagnostic, Fault.RECIPIENT));
            String email = contact.get().emailNormalized();
            suppressBounce(hard, email, contactId, diagnostic);
            return isNew ? Result.RECORDED : Result.ALREADY_RECORDED;
        });
    }

    /** What an unsubscribe link is about: for whom (only their language) and which purpose. */
    public record Subject(Optional<String> contactLocale, String purpose) {
    }

    /** The person's locale, if they still exist, and the purpose an unsubscribe token stands for. */
    public Subject subjectOf(Token token) {
        Optional<String> locale = people.contactNamedBy(token).map(Contact::locale);
        String purpose = token.purpose() != null ? token.purpose()
                : token.campaignId() == 0 ? null
                : events.campaign(token.campaignId()).map(Campaign::purpose).orElse(null);
        return new Subject(locale, purpose);
    }

    /**
     * Records a bounce, complaint or mailto unsubscribe found by {@link FeedbackParser}, or one a
     * provider reported to a webhook ({@link ProviderFeedback}).
     */
    public Result record(Feedback feedback) {
        if (feedback.type() == FeedbackType.UNKNOWN
                || feedback.type() == FeedbackType.BOUNCE && "delayed".equalsIgnoreCase(feedback.action())) {
            return Result.IGNORED; // a delay warning is not a bounce: the MTA is still trying
        }
        return transactions.inTransaction(() -> {
            Optional<Contact> contact = feedback.contactId() == null ? Optional.empty()
                    : feedback.token() != null ? people.contactNamedBy(feedback.token())
                    : people.contact(feedback.contactId());
            // a token signed with our secret for somebody else: another database's, so its ids
            // mean nothing here, and it vouches for no address
            boolean tokenOfAnotherDatabase = contact.isEmpty() && feedback.contactId() != null
                    && people.contact(feedback.contactId()).isPresent();
            Long tokenContactId = tokenOfAnotherDatabase ? null : feedback.contactId();
            Optional<Campaign> campaign = feedback.campaignId() == null || tokenOfAnotherDatabase ? Optional.empty()
                    : events.campaign(feedback.campaignId());
            String email = contact.map(Contact::emailNormalized)
                    .orElseGet(() -> EmailAddress.normalize(feedback.addressWeMailed() == null ? "" : feedback.addressWeMailed())
                            .orElse(null));
            if (contact.isEmpty() && email != null) {
                contact = people.findContact(email);
            }
            if (email == null) {
                return Result.UNMATCHED;
            }
            if ((feedback.tokenDoesNotVerify() || tokenOfAnotherDatabase)
                    && !contact.map(c -> events.wasMailed(c.id())).orElse(false)) {
                // without a verified token only our own delivery records vouch for the address
                return Result.NOT_FROM_US;
            }
            if (contact.isEmpty() && people.isErased(email)) {
                return Result.IGNORED; // erased people stay erased: never stored in clear again
            }
            if (feedback.type() == FeedbackType.UNSUBSCRIBE) {
                // only a signed token, or a provider whose request proved where it came from, says who
                // asked: a From line can be forged by anyone
                boolean vouched = tokenContactId != null || feedback.reportedBy() != null;
                return !vouched || contact.isEmpty() ? Result.UNMATCHED
                        : withdraw(contact.get(), campaign.orElse(null), feedback.purpose(), false,
                        feedback.reportedBy() == null ? "unsubscribe e-mail" : feedback.reportedBy() + " unsubscribe",
                        null, null);
            }
            Long contactId = contact.map(Contact::id).orElse(null);
            ReplyVerdict verdict = feedback.verdict();
            boolean recipientsFault = verdict == null || verdict.fault() == Fault.RECIPIENT;
            boolean isNew = events.insert(new FeedbackEvents.Event(feedback.sourceKey(), feedback.type(),
                    contactId, campaign.map(Campaign::id).orElse(null),
                    feedback.type() == FeedbackType.BOUNCE ? feedback.hard() && recipientsFault : null,
                    feedback.status(), feedback.diagnostic(), verdict == null ? null : verdict.fault()));
            if (!isNew) {
                return Result.ALREADY_RECORDED;
            }
            if (!recipientsFault) {
                // the provider refused the sender or asked to slow down: nothing about this person
                return Result.SENDER_FAULT;
            }
            suppress(feedback, email, contactId);
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
        return transactions.inTransaction(() -> {
            Optional<Contact> contact = people.contactNamedBy(token);
            if (contact.isEmpty()) {
                return Result.UNMATCHED; // erased, or a token of another database
            }
            Campaign campaign = token.campaignId() == 0 ? null : events.campaign(token.campaignId()).orElse(null);
            return withdraw(contact.get(), campaign, token.purpose(), everything, channel, ip, userAgent);
        });
    }

    private Result withdraw(Contact contact, Campaign campaign, String tokenPurpose,
                            boolean everything, String channel, String ip, String userAgent) {
        String purpose = everything ? ConsentStatement.ALL_PURPOSES
                : tokenPurpose != null ? tokenPurpose
                : campaign != null ? campaign.purpose()
                : ConsentStatement.ALL_PURPOSES;
        // Once per campaign and person: a mailto and a one-click unsubscribe for the same message count once.
        String key = "unsubscribe:" + (campaign == null ? 0 : campaign.id()) + ":" + contact.id()
                + (everything ? ":all" : "");
        boolean isNew = events.insert(new FeedbackEvents.Event(key, FeedbackType.UNSUBSCRIBE, contact.id(),
                campaign == null ? null : campaign.id(), null, null, purpose, null));
        if (isWithdrawn(contact.id(), purpose)) {
            return isNew ? Result.RECORDED : Result.ALREADY_RECORDED;
        }
        String source = channel + (campaign == null ? "" : " (campaign " + campaign.name() + ")");
        people.appendConsent(contact.id(), new ConsentStatement(purpose, ConsentStatement.WITHDRAWN, null, source, ip,
                null, null, ConsentStatement.BASIS_CONSENT, false), userAgent, origin);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("purpose", purpose);
        detail.put("source", source);
        audit.record(origin, "consent.withdraw", contact.emailNormalized(), detail);
        return Result.RECORDED;
    }

    /** Whether the latest record for the purpose is already a withdrawal (then nothing is appended). */
    private boolean isWithdrawn(long contactId, String purpose) {
        return ConsentRecord.latest(people.consentHistory(contactId), purpose)
                .map(r -> ConsentStatement.WITHDRAWN.equals(r.status()))
                .orElse(false);
    }

    private void suppress(Feedback feedback, String email, Long contactId) {
        if (feedback.type() == FeedbackType.COMPLAINT) {
            suppressions.suppress(email, SuppressionReason.COMPLAINT, "spam complaint", origin);
        } else {
            suppressBounce(feedback.hard(), email, contactId, feedback.hard() ? bounceDetail(feedback) : null);
        }
    }

    /** A hard bounce suppresses the address; a soft one counts toward the policy's threshold. */
    private void suppressBounce(boolean hard, String email, Long contactId, String hardDetail) {
        if (hard) {
            suppressions.suppress(email, SuppressionReason.BOUNCED, hardDetail, origin);
        } else if (contactId != null) {
            suppressions.afterSoftBounce(contactId, email, policy, origin);
        }
    }

    private static String bounceDetail(Feedback feedback) {
        String detail = "hard bounce" + (feedback.status() == null ? "" : " " + feedback.status())
                + (feedback.diagnostic() == null ? "" : ": " + feedback.diagnostic());
        return detail.length() > 500 ? detail.substring(0, 500) : detail;
    }
}
