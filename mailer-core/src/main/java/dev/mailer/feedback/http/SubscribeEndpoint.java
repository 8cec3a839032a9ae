package dev.mailer.feedback.http;

import dev.mailer.config.Purposes;
import dev.mailer.config.ServeConfig;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.i18n.BuiltInLanguage;
import dev.mailer.optin.SignUpMailer;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /subscribe}: the sign-up form (SPEC §9). Checks the form, applies the caps, hands
 * the sign-up to {@link SignUps} and answers at once with the same page (or the same redirect)
 * whatever becomes of it: known, unknown, erased and suppressed addresses look alike. Nothing
 * typed into the form reaches the mail but the name (escaped where it is shown).
 */
final class SubscribeEndpoint {
    static final int MAX_NAME = 100;
    static final int MAX_SOURCE = 200;

    private final Optional<SignUps> signUps;
    private final Purposes purposes;
    private final ServeConfig config;
    private final SignUpLimits limits;
    private final Pages pages;
    private final boolean trustProxy;

    SubscribeEndpoint(Optional<SignUps> signUps, Purposes purposes, ServeConfig config, SignUpLimits limits,
                      Pages pages, boolean trustProxy) {
        this.signUps = signUps;
        this.purposes = purposes;
        this.config = config;
        this.limits = limits;
        this.pages = pages;
        this.trustProxy = trustProxy;
    }

    Response post(Call call) {
        BuiltInLanguage browser = Router.browserLanguage(call);
        if (signUps.isEmpty()) {
            return Response.html(404, pages.problem(browser, "notfound"));
        }
        Map<String, List<String>> form = RequestBody.formFields(call.body());
        String locale = first(form, "locale");
        BuiltInLanguage language = locale == null ? browser : BuiltInLanguage.ofLocale(locale);
        Optional<EmailAddress> email = Optional.ofNullable(first(form, "email")).flatMap(EmailAddress::parse);
        List<String> chosen = chosenPurposes(form);
        String redirect = first(form, "redirect");
        Optional<URI> target = redirect == null ? Optional.empty() : allowedRedirect(redirect);
        if (email.isEmpty() || chosen.isEmpty() || redirect != null && target.isEmpty()) {
            return Response.html(400, pages.problem(language, "signupform"));
        }
        Client client = Client.of(call, trustProxy);
        if (!limits.allowClient(client.ip()) || !limits.allowAddress(email.get().normalized(), chosen.size())) {
            return Response.html(429, pages.problem(language, "toomany")).withHeader("Retry-After", "3600");
        }
        SignUpMailer.Job signUp = new SignUpMailer.Job(email.get().address(), name(first(form, "name")), chosen,
                locale == null ? null : language.tag(), source(form, call), client.ip(), tags(form));
        if (!signUps.get().accept(signUp)) {
            return Response.html(503, pages.problem(language, "unavailable")).withHeader("Retry-After", "60");
        }
        return target.map(uri -> Response.redirect(uri.toString()))
                .orElseGet(() -> Response.html(200, pages.signedUp(language)));
    }

    /** The purposes asked for that are listed; with one purpose listed, a form may leave it out. */
    private List<String> chosenPurposes(Map<String, List<String>> form) {
        List<String> asked = form.getOrDefault("purpose", List.of());
        if (asked.isEmpty() && purposes.all().size() == 1) {
            return List.of(purposes.all().get(0).code());
        }
        LinkedHashSet<String> chosen = new LinkedHashSet<>();
        for (String code : asked) {
            if (purposes.find(code).isEmpty()) {
                return List.of(); // a purpose nobody listed: the form is wrong, not half right
            }
            chosen.add(code);
        }
        return new ArrayList<>(chosen);
    }

    private Optional<URI> allowedRedirect(String redirect) {
        return config.redirects().stream().filter(uri -> uri.toString().equals(redirect)).findFirst();
    }

    private List<String> tags(Map<String, List<String>> form) {
        return form.getOrDefault("tag", List.of()).stream().filter(config.signupTags()::contains).distinct().toList();
    }

    /** The form's own field, else the page it was sent from (Origin), else plain "sign-up form". */
    private static String source(Map<String, List<String>> form, Call call) {
        String given = clean(first(form, "source"), MAX_SOURCE);
        if (given == null) {
            String origin = call.header("Origin");
            given = origin == null || origin.equals("null") ? null : clean(origin, MAX_SOURCE);
        }
        return given == null ? "sign-up form" : "sign-up form " + given;
    }

    private static String name(String name) {
        return clean(name, MAX_NAME);
    }

    /** Printable text only, cut to a length; null for nothing. */
    static String clean(String text, int max) {
        if (text == null) {
            return null;
        }
        String clean = text.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", " ").replaceAll("\\s+", " ").strip();
        if (clean.length() > max) {
            clean = clean.substring(0, max).strip();
        }
        return clean.isEmpty() ? null : clean;
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }
}
