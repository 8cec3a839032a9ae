package dev.mailer.feedback.http;

import dev.mailer.optin.ConsentConfirmation;
import dev.mailer.i18n.BuiltInLanguage;
import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import java.util.Optional;

/**
 * {@code /c/TOKEN}: the double opt-in link. GET shows the wording and a Confirm button and
 * changes nothing (mail scanners fetch links; a fetched link is no consent); POST records the
 * confirmed consent with its proof. An expired link, or one whose person was erased, gets the
 * same neutral page.
 */
final class ConfirmEndpoint {
    private final TokenSigner tokens;
    private final ConsentConfirmation confirmation;
    private final Pages pages;
    private final ServerSettings settings;

    ConfirmEndpoint(ConsentConfirmation confirmation, Pages pages, ServerSettings settings) {
        this.tokens = settings.tokens();
        this.confirmation = confirmation;
        this.pages = pages;
        this.settings = settings;
    }

    Response get(String tokenText, Call call) {
        Optional<Token> token = verify(tokenText);
        if (token.isEmpty()) {
            return Router.badLink(pages, call);
        }
        ConsentConfirmation.LinkState state = confirmation.inspect(token.get());
        BuiltInLanguage language = language(state, call);
        if (!state.usable()) {
            return Response.html(410, pages.expired(language));
        }
        return Response.html(200, pages.confirm(language, token.get().purpose()));
    }

    /** The button sends no fields: the token says everything. */
    Response post(String tokenText, Call call) {
        Optional<Token> token = verify(tokenText);
        if (token.isEmpty()) {
            return Router.badLink(pages, call);
        }
        String purpose = token.get().purpose();
        BuiltInLanguage language = language(confirmation.inspect(token.get()), call);
        Client client = Client.of(call, settings.trustProxy());
        ConsentConfirmation.Outcome outcome = confirmation.confirm(token.get(), client.ip(), client.userAgent(),
                pages.confirmWording(language, purpose));
        if (outcome == ConsentConfirmation.Outcome.NO_LONGER_VALID) {
            return Response.html(410, pages.expired(language));
        }
        return Response.html(200, pages.confirmed(language, purpose));
    }

    private Optional<Token> verify(String tokenText) {
        return tokens.verify(tokenText, Token.Kind.CONFIRM).filter(t -> t.purpose() != null);
    }

    private static BuiltInLanguage language(ConsentConfirmation.LinkState state, Call call) {
        return state.contactLocale().map(BuiltInLanguage::ofLocale).orElseGet(() -> Router.browserLanguage(call));
    }
}
