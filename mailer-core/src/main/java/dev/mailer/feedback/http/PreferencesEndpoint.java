package dev.mailer.feedback.http;

import dev.mailer.contacts.EmailAddress;
import dev.mailer.i18n.BuiltInLanguage;
import dev.mailer.message.Token;
import dev.mailer.optin.PreferenceCentre;
import dev.mailer.optin.SignUpMailer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /p/TOKEN}, the preference centre, opened with the token of a message's unsubscribe link
 * and under its rules (SPEC §9). GET shows the purposes and changes nothing; a POST with
 * {@code withdraw=PURPOSE}, {@code grant=PURPOSE} (each repeatable) or {@code withdraw=*} changes
 * them: withdrawals at once, grants through a confirmation mail (the sign-up mails, and their
 * per-address cap). The page looks the same for a person who no longer exists.
 */
final class PreferencesEndpoint {
    private final PreferenceCentre centre;
    private final Pages pages;
    private final ServerSettings settings;
    private final SignUpLimits limits;

    PreferencesEndpoint(PreferenceCentre centre, Pages pages, ServerSettings settings, SignUpLimits limits) {
        this.centre = centre;
        this.pages = pages;
        this.settings = settings;
        this.limits = limits;
    }

    Response get(String tokenText, Call call) {
        Optional<Token> token = settings.tokens().verify(tokenText, Token.Kind.UNSUBSCRIBE);
        if (token.isEmpty()) {
            return Router.badLink(pages, call);
        }
        PreferenceCentre.View view = centre.view(token.get());
        return Response.html(200, pages.preferences(language(view, call), view.choices(), canGrant(), null));
    }

    Response post(String tokenText, Call call) {
        Optional<Token> token = settings.tokens().verify(tokenText, Token.Kind.UNSUBSCRIBE);
        if (token.isEmpty()) {
            return Router.badLink(pages, call);
        }
        Map<String, List<String>> form = RequestBody.formFields(call.body());
        List<String> withdraw = form.getOrDefault("withdraw", List.of());
        List<String> grant = canGrant() ? form.getOrDefault("grant", List.of()) : List.of();
        Client client = Client.of(call, settings.trustProxy());
        PreferenceCentre.View before = centre.view(token.get());
        BuiltInLanguage language = language(before, call);
        PreferenceCentre.Change change = centre.change(token.get(), withdraw, grant, client.ip(), client.userAgent());
        boolean askedToGrant = grant.stream().anyMatch(p -> settings.purposes().find(p).isPresent())
                && !withdraw.contains("*");
        if (!change.toConfirm().isEmpty() && before.email().isPresent()
                && limits.allowAddress(EmailAddress.require(before.email().get()).normalized(),
                change.toConfirm().size())) {
            settings.signUps().accept(new SignUpMailer.Job(before.email().get(), null, change.toConfirm(),
                    before.contactLocale().orElse(null), PreferenceCentre.SOURCE, client.ip(), List.of()));
        }
        PreferenceCentre.View after = centre.view(token.get());
        return Response.html(200, pages.preferences(language, after.choices(), canGrant(),
                askedToGrant ? "confirm" : "saved"));
    }

    private boolean canGrant() {
        return settings.signUps() != null;
    }

    private static BuiltInLanguage language(PreferenceCentre.View view, Call call) {
        return view.contactLocale().map(BuiltInLanguage::ofLocale).orElseGet(() -> Router.browserLanguage(call));
    }
}
