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
 * Only tokens that verify count: anything else in a message is written by strangers. A message
 * that carries a token-shaped string of which none verifies is told apart from one that carries
 * none, so that the poll can say so (SPEC §7: "token does not verify").
 *
 * <p>Without a secret ({@code feedback parse} on a machine that has none) nothing verifies and
 * nothing is said about tokens: campaign and contact are simply unknown.
 */
final class CampaignTokens {
    /** A plus-address tag that may be a token: {@code local+TOKEN@}. */
    private static final Pattern PLUS_TAG = Pattern.compile("\\+([A-Za-z0-9_-]{20,100})@");
    /** An unsubscribe link: {@code …/u/TOKEN}. */
    private static final Pattern LINK = Pattern.compile("/u/([A-Za-z0-9_-]{20,100})(?![A-Za-z0-9_-])");
    /** Tokens are looked for in this much of the message: headers and the returned headers. */
    static final int SCAN_CHARS = 512 * 1024;
    private static final int MAX_CANDIDATES = 32;

    /** null when there is no secret: then no token verifies, and none is said not to */
    private final TokenSigner signer;

    /** @param signer the secret's signer, or null when there is no secret */
    CampaignTokens(TokenSigner signer) {
        this.signer = signer;
    }

    /** A verified token and its text as found. */
    record Found(String text, Token token) {
    }

    /**
     * What the tokens in a message say.
     *
     * @param found          a verified token, if any
     * @param doesNotVerify  no token verifies, but at least one string has a token's shape
     */
    record Lookup(Optional<Found> found, boolean doesNotVerify) {
    }

    /** A verified bounce token anywhere in the texts, else a verified unsubscribe token. */
    Lookup find(CharSequence... texts) {
        if (signer == null) {
            return new Lookup(Optional.empty(), false);
        }
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
                    return new Lookup(Optional.of(new Found(candidate, token.get())), false);
                }
            }
        }
        // one of ours of another kind (a confirmation link) is not a token that fails to verify
        return new Lookup(Optional.empty(), candidates.stream()
                .anyMatch(c -> TokenSigner.hasTokenShape(c) && signer.verify(c).isEmpty()));
    }

    /** The token of a plus-addressed {@code local+TOKEN@domain}, if it is an unsubscribe token. */
    Optional<Token> unsubscribe(String tag) {
        return signer == null ? Optional.empty() : signer.verify(tag, Token.Kind.UNSUBSCRIBE);
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
