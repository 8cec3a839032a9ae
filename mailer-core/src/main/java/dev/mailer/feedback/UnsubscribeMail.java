package dev.mailer.feedback;

import dev.mailer.message.Token;
import java.util.Optional;

/**
 * Mail to the List-Unsubscribe mailto address, {@code unsubscribe+TOKEN@domain}. Only the
 * headers that say where a message was delivered are looked at: a bounce or complaint that
 * returns our List-Unsubscribe header is not itself a request to unsubscribe.
 */
final class UnsubscribeMail {
    private static final String[] RECIPIENT_HEADERS = {"To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To",
        "X-Envelope-To", "X-Delivered-To", "Resent-To"};
    /** The local part of the default unsubscribe address (SPEC §7). */
    private static final String LOCAL_PART = "unsubscribe";

    private UnsubscribeMail() {
    }

    static Optional<Feedback> read(ParsedMessage message, CampaignTokens tokens) {
        MessageParts parts = message.parts();
        String unverifiedTag = null;
        boolean addressedToUs = false;
        for (String name : RECIPIENT_HEADERS) {
            String value = parts.header(name);
            if (value == null) {
                continue;
            }
            for (Addresses.Found found : Addresses.findAll(value)) {
                // the token is case-sensitive: take it from the header as written, not normalized
                String address = value.substring(found.start(), found.end());
                int at = address.lastIndexOf('@');
                int plus = address.indexOf('+');
                boolean tagged = plus > 0 && plus < at;
                String tag = tagged ? address.substring(plus + 1, at) : null;
                Optional<Token> token = tag == null ? Optional.empty() : tokens.unsubscribe(tag);
                if (token.isPresent()) {
                    return Optional.of(entry(parts, token.get(), "unsubscribe:" + tag));
                }
                String local = tagged ? address.substring(0, plus) : address.substring(0, at);
                if (local.equalsIgnoreCase(LOCAL_PART) && !addressedToUs) {
                    addressedToUs = true;
                    unverifiedTag = tag;
                }
            }
        }
        if (!addressedToUs) {
            return Optional.empty();
        }
        // mail to our unsubscribe address with a token that does not verify (or none): still an
        // unsubscribe request, but about nobody we can name
        String key = unverifiedTag != null ? "unsubscribe:" + unverifiedTag : message.key() + "#unsubscribe";
        return Optional.of(entry(parts, null, key));
    }

    private static Feedback entry(MessageParts parts, Token token, String key) {
        return new Feedback(FeedbackType.UNSUBSCRIBE, Addresses.first(parts.header("From")), null, null, false, null,
                token == null ? null : token.campaignId(), token == null ? null : token.contactId(), key,
                token == null ? null : token.purpose()).withToken(token);
    }
}
