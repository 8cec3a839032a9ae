package dev.mailer.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailer.message.TokenSigner;
import dev.mailer.reply.Replies;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Feedback a sending provider reports itself, to a webhook of {@code mailer serve} (SPEC §9), made
 * into the same entries the mailbox gives so that one recorder and one classification (SPEC §6a)
 * handle both. The caller has checked the request's signature; every entry says which provider
 * reported it ({@link Feedback#reportedBy()}).
 *
 * <p>Campaign and contact come from our own signed tokens wherever the provider returns them in
 * its event (the VERP envelope sender {@code bounces+TOKEN@…}, our List-Unsubscribe header, other
 * headers or variables): every text value of the event is searched, as the whole mail is for the
 * mailbox. An event without a token that verifies names its person by address; one whose tokens
 * all fail to verify is marked so, and the recorder then trusts its address only if we mailed it.
 *
 * <p>Thread-safe.
 */
public final class ProviderFeedback {

    /** How final a provider says a failed delivery is. */
    public enum Severity {
        /** the provider gave up: hard when the address itself is gone */
        PERMANENT,
        /** failed for a passing reason (a full mailbox, a timeout): a soft bounce */
        TEMPORARY,
        /** the provider still tries: news, not a bounce (never recorded) */
        RETRYING
    }

    private final CampaignTokens tokens;
    private final String provider;

    /**
     * @param signer   checks the tokens found in events; the same secret that signed them
     * @param provider who reports, as people know it ({@code Mailgun}, {@code Amazon SES}); kept as
     *                 the source of a consent withdrawal ("Mailgun unsubscribe")
     */
    public ProviderFeedback(TokenSigner signer, String provider) {
        this.tokens = new CampaignTokens(Objects.requireNonNull(signer, "signer"));
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /**
     * The one rule for how hard a bounce is, for every provider and for SES notifications read
     * from mail: hard only when the provider says the failure is permanent and the address itself
     * is gone, by the provider's own verdict or by the remote server's words. Whether it is the
     * recipient's fault at all is {@link Feedback#verdict()}'s to say: a sender fault suppresses
     * nobody, however permanent.
     */
    static boolean hard(boolean permanent, boolean addressGone, String status, String diagnostic) {
        return permanent && (addressGone || Replies.isHard(SmtpReplies.code(diagnostic), status, diagnostic));
    }

    /**
     * The entries of an Amazon SES bounce or complaint notification, read as {@code feedback poll}
     * reads one that came by mail; anything else (a delivery) gives one entry that is not acted on.
     * Each is known by SES's {@code feedbackId} and the recipient, else by the SNS message id.
     *
     * @param notification the SES notification (the SNS message's {@code Message}, parsed)
     * @param snsMessageId the SNS {@code MessageId}
     */
    public List<Feedback> ses(JsonNode notification, String snsMessageId) {
        if (!SesNotifications.isNotification(notification)) {
            return List.of(unknown("sns:" + snsMessageId));
        }
        String feedbackId = text(notification.path(SesNotifications.kind(notification)).path("feedbackId"));
        String key = feedbackId != null ? "ses:" + feedbackId : "sns:" + snsMessageId;
        CampaignTokens.Lookup lookup = lookup(notification);
        Optional<CampaignTokens.Found> found = lookup.found();
        ParsedMessage message = new ParsedMessage(null, key, found.map(CampaignTokens.Found::token).orElse(null),
                found.map(CampaignTokens.Found::text).orElse(null));
        return SesNotifications.entries(message, notification).stream().map(e -> finish(e, lookup)).toList();
    }

    /**
     * A failed delivery.
     *
     * @param key         the provider's id for the event, prefixed with the provider ({@code mailgun:…})
     * @param recipient   the address it failed for, as the provider gives it
     * @param status      the enhanced status ({@code 5.1.1}) when the provider gives it apart; else
     *                    it is read from the diagnostic
     * @param diagnostic  the remote server's reply (code and text), or the provider's description
     * @param addressGone the provider's own verdict that the address does not exist
     * @param event       the provider's event, searched for our tokens
     */
    public Feedback bounce(String key, String recipient, String status, String diagnostic, Severity severity,
                           boolean addressGone, JsonNode event) {
        String compact = ParsedMessage.compact(diagnostic);
        String given = SmtpReplies.statusField(status);
        String found = given != null ? given : SmtpReplies.status(compact);
        String action = severity == Severity.RETRYING ? "delayed" : "failed";
        boolean hard = hard(severity == Severity.PERMANENT, addressGone, found, compact);
        return entry(new Feedback(FeedbackType.BOUNCE, address(recipient), found, action, hard, compact, null, null,
                key), event);
    }

    /** A spam complaint; {@code diagnostic} as for an ARF report ({@code Feedback-Type: abuse}), or null. */
    public Feedback complaint(String key, String recipient, String diagnostic, JsonNode event) {
        return entry(new Feedback(FeedbackType.COMPLAINT, address(recipient), null, null, false,
                diagnostic == null ? "Feedback-Type: abuse" : diagnostic, null, null, key), event);
    }

    /**
     * The person asked the provider to stop: the consent for the campaign's purpose is withdrawn
     * when our token names the campaign, else for everything (which list the provider's own
     * unsubscribe was for cannot be told, and mailing someone who asked to stop is the worse mistake).
     */
    public Feedback unsubscribe(String key, String recipient, JsonNode event) {
        return entry(new Feedback(FeedbackType.UNSUBSCRIBE, address(recipient), null, null, false, null, null, null,
                key), event);
    }

    /** An event that is no feedback to act on (a delivery, an open): never recorded. */
    public Feedback unknown(String key) {
        return new Feedback(FeedbackType.UNKNOWN, null, null, null, false, null, null, null, key).reportedBy(provider);
    }

    private Feedback entry(Feedback bare, JsonNode event) {
        CampaignTokens.Lookup lookup = lookup(event);
        Feedback entry = bare;
        if (lookup.found().isPresent()) {
            var token = lookup.found().get().token();
            // an unsubscribe token of a double opt-in message names its purpose, as for the mailbox
            String purpose = bare.type() == FeedbackType.UNSUBSCRIBE ? token.purpose() : null;
            entry = new Feedback(bare.type(), bare.recipient(), bare.status(), bare.action(), bare.hard(),
                    bare.diagnostic(), token.campaignId(), token.contactId(), bare.sourceKey(), purpose)
                    .withToken(token);
        }
        return finish(entry, lookup);
    }

    private Feedback finish(Feedback entry, CampaignTokens.Lookup lookup) {
        Feedback reported = entry.reportedBy(provider);
        return lookup.doesNotVerify() ? reported.withTokenThatDoesNotVerify() : reported;
    }

    private CampaignTokens.Lookup lookup(JsonNode event) {
        return tokens.find(texts(event));
    }

    /** Every text value of the event, one a line, up to what the token search reads. */
    private static CharSequence texts(JsonNode event) {
        StringBuilder out = new StringBuilder();
        if (event == null) {
            return out;
        }
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(event);
        while (!todo.isEmpty() && out.length() < CampaignTokens.SCAN_CHARS) {
            JsonNode node = todo.pop();
            if (node.isTextual()) {
                out.append(node.asText()).append('\n');
            } else if (node.isContainerNode()) {
                node.elements().forEachRemaining(todo::push);
            }
        }
        return out;
    }

    private static String address(String given) {
        return given == null ? null : Addresses.first(given);
    }

    private static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? node.asText().strip() : null;
    }
}
