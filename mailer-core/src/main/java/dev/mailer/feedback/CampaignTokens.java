package dev.mailer.feedback;

import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which campaign and contact a feedback message is about, from the signed tokens our messages
 * carry (SPEC §7): the VERP envelope sender {@code bounces+TOKEN@domain}, to which bounces and
 * auto-replies are addressed, and the List-Unsubscribe header ({@code …/u/TOKEN},
 * {@code unsubscribe+TOKEN@domain}) of the original, which bounces and complaints return.
 * Only tokens that verify count: anything else in a message is written by strangers.
 */
final class CampaignTokens {
    /** A plus-address tag that may be a token: {@code local+TOKEN@}. */
    private static final Pattern PLUS_TAG = Pattern.compile("\\+([A-Za-z0-9_-]{20,100})@");
    /** An unsubscribe link: {@code …/u/TOKEN}. */
    private static final Pattern LINK = Pattern.compile("/u/([A-Za-z0-9_-]{20,100})(?![A-Za-z0-9_-])");
    /** Tokens are looked for in this much of the message: headers and the returned headers. */
    static final int SCAN_CHARS = 512 * 1024;
    private static final int MAX_CANDIDATES = 32;

    private final TokenSigner signer;

    CampaignTokens(TokenSigner signer) {
        this.signer = signer;
    }

    /** A verified token and its text as found. */
    record Found(String text, Token token) {
    }

    /** A verified bounce token anywhere in the texts, else a verified unsubscribe token. */
    Optional<Found> find(CharSequence... texts) {
        Set<String> candidates = new LinkedHashSet<>();
        for (CharSequence text : texts) {
            if (text != null) {
                candidates(text, candidates);
            }
        }
        for (Token.Kind kind : new Token.Kind[] {Token.Kind.BOUNCE, Token.Kind.UNSUBSCRIBE}) {
            for (String candidate : candidates) {
                Optional<Token> token = signer.verify(candidate, kind);
                if (token.isPresent()) {
                    return Optional.of(new Found(candidate, token.get()));
                }
            }
        }
        return Optional.empty();
    }

    /** The token of a plus-addressed {@code local+TOKEN@domain}, if it is an unsubscribe token. */
    Optional<Token> unsubscribe(String tag) {
        return signer.verify(tag, Token.Kind.UNSUBSCRIBE);
    }

    private static void candidates(CharSequence text, Set<String> found) {
        CharSequence scanned = text.length() > SCAN_CHARS ? text.subSequence(0, SCAN_CHARS) : text;
        for (Pattern pattern : new Pattern[] {PLUS_TAG, LINK}) {
            Matcher m = pattern.matcher(scanned);
            while (m.find() && found.size() < MAX_CANDIDATES) {
                found.add(m.group(1));
            }
        }
    }
}
