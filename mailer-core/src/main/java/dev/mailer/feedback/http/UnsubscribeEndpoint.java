package dev.mailer.feedback.http;

import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.i18n.BuiltInLanguage;
import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /u/TOKEN}: the link in every campaign message and its List-Unsubscribe header. GET shows
 * what would stop and changes nothing (mail scanners and link previews fetch every link); POST
 * unsubscribes, from the RFC 8058 one-click header ({@code List-Unsubscribe=One-Click}) or from
 * the page's own form ({@code scope=campaign|all}), recorded before the answer is sent.
 */
final class UnsubscribeEndpoint {
    static final String ONE_CLICK_CHANNEL = "one-click unsubscribe";
    static final String PAGE_CHANNEL = "unsubscribe page";

    private final TokenSigner tokens;
    private final FeedbackRecorder recorder;
    private final Pages pages;
    private final ServerSettings settings;

    UnsubscribeEndpoint(FeedbackRecorder recorder, Pages pages, ServerSettings settings) {
        this.tokens = settings.tokens();
        this.recorder = recorder;
        this.pages = pages;
        this.settings = settings;
    }

    Response get(String tokenText, Call call) {
        Optional<Token> token = tokens.verify(tokenText, Token.Kind.UNSUBSCRIBE);
        if (token.isEmpty()) {
            return Router.badLink(pages, call);
        }
        FeedbackRecorder.Subject subject = recorder.subjectOf(token.get());
        return Response.html(200, pages.unsubscribe(language(subject, call), subject.purpose()));
    }

    Response post(String tokenText, Call call) {
        Optional<Token> token = tokens.verify(tokenText, Token.Kind.UNSUBSCRIBE);
        if (token.isEmpty()) {
            return Router.badLink(pages, call);
        }
        Map<String, String> form = RequestBody.form(call.body());
        boolean oneClick = "One-Click".equalsIgnoreCase(form.get("List-Unsubscribe"));
        String scope = form.getOrDefault("scope", "campaign");
        if (!scope.equals("campaign") && !scope.equals("all")) {
            return Router.badLink(pages, call);
        }
        // one-click means this list only (RFC 8058); "everything" needs the person's own click on the page
        boolean everything = !oneClick && scope.equals("all");
        Client client = Client.of(call, settings.trustProxy());
        // The result is not shown: a person who no longer exists gets the same page as one who does.
        recorder.unsubscribe(token.get(), everything, oneClick ? ONE_CLICK_CHANNEL : PAGE_CHANNEL, client.ip(),
                client.userAgent());
        FeedbackRecorder.Subject subject = recorder.subjectOf(token.get());
        return Response.html(200, pages.unsubscribed(language(subject, call), subject.purpose(), everything));
    }

    private static BuiltInLanguage language(FeedbackRecorder.Subject subject, Call call) {
        return subject.contactLocale().map(BuiltInLanguage::ofLocale)
                .orElseGet(() -> Router.browserLanguage(call));
    }
}
