package dev.mailer.feedback.http;

import dev.mailer.config.Purposes;
import dev.mailer.optin.ConsentConfirmation;
import dev.mailer.optin.PreferenceCentre;
import dev.mailer.i18n.BuiltInLanguage;
import dev.mailer.i18n.Html;
import dev.mailer.i18n.Wording;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The few pages people see: small, self-contained HTML in the person's language, with the one
 * stylesheet inline and no script. Every value from outside (purpose, organisation) is escaped.
 * No page ever shows an e-mail address, and none differs by whether the person still exists.
 */
final class Pages {
    private static final Wording WORDING = Wording.load(Pages.class, "pages");

    static final String STYLE = "body{margin:0;background:#f4f4f5;color:#18181b;"
            + "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}"
            + "main{max-width:34rem;margin:3rem auto 1rem;padding:2rem;background:#fff;border-radius:8px}"
            + "h1{margin-top:0;font-size:1.4rem}form{margin:1.25rem 0 0}.hint{margin-top:2rem}"
            + "button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#1d4ed8;color:#fff;"
            + "cursor:pointer}button.secondary{background:#e4e4e7;color:#18181b}"
            + "footer{max-width:34rem;margin:0 auto 2rem;color:#52525b;font-size:.85rem;text-align:center}";

    /**
     * No scripts, no outside resources, forms only to this site, never in a frame. The inline
     * stylesheet is allowed by its hash, so even injected markup could not add styles.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'sha256-" + styleHash()
            + "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final String organisation;
    private final Purposes purposes;

    /**
     * @param organisation the sender's name for the footer; null for none
     * @param purposes     the pages name a listed purpose by its title in the page's language
     */
    Pages(String organisation, Purposes purposes) {
        this.organisation = organisation == null || organisation.isBlank() ? null : organisation.strip();
        this.purposes = purposes;
    }

    Pages(String organisation) {
        this(organisation, Purposes.NONE);
    }

    /**
     * The preference centre: each listed purpose with its state and one button, then "everything".
     *
     * @param canGrant whether a grant can be asked for here (the sign-up mails are on)
     * @param notice   after a change: {@code saved}, {@code confirm} (a grant was asked for), or null
     */
    String preferences(BuiltInLanguage language, List<PreferenceCentre.Choice> choices, boolean canGrant,
                       String notice) {
        StringBuilder body = new StringBuilder();
        if (notice != null) {
            body.append("<p><strong>").append(WORDING.html(language, "preferences.saved")).append("</strong>");
            if (notice.equals("confirm")) {
                body.append(' ').append(WORDING.html(language, "preferences.confirm"));
            }
            body.append("</p>\n");
        }
        body.append("<p>").append(WORDING.html(language, "preferences.intro")).append("</p>\n");
        for (PreferenceCentre.Choice choice : choices) {
            String code = choice.purpose().code();
            body.append("<h2>").append(Html.escape(choice.purpose().title(language.tag()))).append("</h2>\n<p>")
                    .append(WORDING.html(language, choice.receiving() ? "preferences.receiving"
                            : "preferences.notreceiving")).append("</p>\n");
            if (choice.receiving()) {
                body.append(form("withdraw", Html.escape(code), WORDING.html(language, "preferences.withdraw"), false));
            } else if (canGrant) {
                body.append(form("grant", Html.escape(code), WORDING.html(language, "preferences.grant"), true));
            } else {
                body.append("<p>").append(WORDING.html(language, "preferences.nogrant")).append("</p>\n");
            }
        }
        body.append("<p class=\"hint\">").append(WORDING.html(language, "preferences.everything.hint")).append("</p>\n")
                .append(form("withdraw", "*", WORDING.html(language, "preferences.everything.button"), true));
        return page(language, "preferences.title", body.toString());
    }

    /** After a sign-up: the same page whether or not a message was sent. */
    String signedUp(BuiltInLanguage language) {
        return page(language, "signup.title", "<p>" + WORDING.html(language, "signup.text") + "</p>\n");
    }

    private String title(BuiltInLanguage language, String purpose) {
        return purpose == null ? null : purposes.title(purpose, language.tag());
    }

    /** GET of an unsubscribe link: what will stop, and the two buttons. Changes nothing. */
    String unsubscribe(BuiltInLanguage language, String purpose) {
        String body = "<p>" + purposeText(language, "unsubscribe", title(language, purpose)) + "</p>\n"
                + form("scope", "campaign", WORDING.html(language, "unsubscribe.button"), false)
                + "<p class=\"hint\">" + WORDING.html(language, "unsubscribe.everything.hint") + "</p>\n"
                + form("scope", "all", WORDING.html(language, "unsubscribe.everything.button"), true);
        return page(language, "unsubscribe.title", body);
    }

    String unsubscribed(BuiltInLanguage language, String purpose, boolean everything) {
        String text = everything ? WORDING.html(language, "unsubscribed.everything")
                : purposeText(language, "unsubscribed", title(language, purpose));
        return page(language, "unsubscribed.title", "<p>" + text + "</p>\n");
    }

    /** GET of a confirmation link: the wording the person confirms, and the button. Changes nothing. */
    String confirm(BuiltInLanguage language, String purpose) {
        String body = "<p>" + WORDING.html(language, "confirm.text", Map.of("purpose", title(language, purpose)))
                + "</p>\n"
                + form(null, null, WORDING.html(language, "confirm.button"), false);
        return page(language, "confirm.title", body);
    }

    /**
     * What the person confirmed, for the consent record's {@code consent_text}: the page's
     * language and a hash of the page exactly as shown, which can be recomputed to prove it.
     */
    String confirmWording(BuiltInLanguage language, String purpose) {
        byte[] hash = sha256(confirm(language, purpose));
        return "mailer serve confirmation page (" + language.tag() + ") sha256:"
                + HexFormat.of().formatHex(hash, 0, 12);
    }

    String confirmed(BuiltInLanguage language, String purpose) {
        return page(language, "confirmed.title",
                "<p>" + WORDING.html(language, "confirmed.text", Map.of("purpose", title(language, purpose)))
                        + "</p>\n");
    }

    /** A confirmation link that cannot be used: expired, or its person no longer exists. */
    String expired(BuiltInLanguage language) {
        return page(language, "expired.title", "<p>" + WORDING.html(language, "expired.text",
                Map.of("days", Integer.toString(ConsentConfirmation.VALID_DAYS))) + "</p>\n");
    }

    /** A plain page for a problem: {@code bad}, {@code notfound}, {@code method}, {@code toolarge}, {@code error}, {@code unavailable}. */
    String problem(BuiltInLanguage language, String which) {
        return page(language, which + ".title", "<p>" + WORDING.html(language, which + ".text") + "</p>\n");
    }

    private static String purposeText(BuiltInLanguage language, String prefix, String purpose) {
        return purpose == null ? WORDING.html(language, prefix + ".general")
                : WORDING.html(language, prefix + ".purpose", Map.of("purpose", purpose));
    }

    /** A form posting to the page's own URL (no action: the link itself, also behind a proxy's path prefix). */
    private static String form(String field, String value, String buttonHtml, boolean secondary) {
        return "<form method=\"post\">"
                + (field == null ? "" : "<input type=\"hidden\" name=\"" + field + "\" value=\"" + value + "\">")
                + "<button type=\"submit\"" + (secondary ? " class=\"secondary\"" : "") + ">" + buttonHtml
                + "</button></form>\n";
    }

    private String page(BuiltInLanguage language, String titleKey, String bodyHtml) {
        String title = WORDING.html(language, titleKey);
        return "<!DOCTYPE html>\n<html lang=\"" + language.tag() + "\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<meta name=\"robots\" content=\"noindex, nofollow\">"
                + "<title>" + title + "</title><style>" + STYLE + "</style></head>\n<body><main>\n"
                + "<h1>" + title + "</h1>\n" + bodyHtml + "</main>\n"
                + (organisation == null ? "" : "<footer>" + Html.escape(organisation) + "</footer>\n")
                + "</body></html>\n";
    }

    private static String styleHash() {
        return Base64.getEncoder().encodeToString(sha256(STYLE));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
