package dev.mailer.optin;

import dev.mailer.i18n.BuiltInLanguage;
import dev.mailer.i18n.Html;
import dev.mailer.i18n.Wording;
import dev.mailer.template.MessageModel;
import dev.mailer.template.RenderedMessage;
import java.util.Map;

/**
 * The double opt-in message in the person's language: who asks, for what, the link, and that
 * ignoring it is safe. Built-in wording (confirmation_*.properties) rather than a campaign
 * template: it must work before anyone has written templates, and it is the same for every sender.
 */
final class ConfirmationMessage {
    private static final Wording WORDING = Wording.load(ConfirmationMessage.class, "confirmation");

    private ConfirmationMessage() {
    }

    /**
     * @param organisation who asks, as the person knows them (the configured organisation, else
     *                     the From name or domain)
     */
    static RenderedMessage render(BuiltInLanguage language, String purpose, String link, String organisation,
                                  MessageModel.Sender sender) {
        Map<String, String> values = Map.of("purpose", purpose, "organisation", organisation,
                "days", Integer.toString(ConsentConfirmation.VALID_DAYS),
                "dpoEmail", sender.dpoEmail() == null ? "" : sender.dpoEmail());
        String subject = WORDING.text(language, "subject", values);
        return new RenderedMessage(subject, html(language, link, values, sender), text(language, link, values, sender));
    }

    private static String text(BuiltInLanguage language, String link, Map<String, String> values,
                               MessageModel.Sender sender) {
        StringBuilder text = new StringBuilder()
                .append(WORDING.text(language, "greeting")).append("\n\n")
                .append(WORDING.text(language, "intro", values)).append("\n\n")
                .append(WORDING.text(language, "action", values)).append('\n')
                .append(link).append("\n\n")
                .append(WORDING.text(language, "ignore")).append("\n\n")
                .append("-- \n")
                .append(WORDING.text(language, "sender", values)).append('\n');
        if (sender.postalAddress() != null) {
            text.append(sender.postalAddress()).append('\n');
        }
        if (sender.dpoEmail() != null) {
            text.append(WORDING.text(language, "dpo", values)).append('\n');
        }
        return text.toString();
    }

    private static String html(BuiltInLanguage language, String link, Map<String, String> values,
                               MessageModel.Sender sender) {
        String href = Html.escape(link);
        StringBuilder html = new StringBuilder(2048)
                .append("<!DOCTYPE html>\n<html lang=\"").append(language.tag()).append("\"><head>")
                .append("<meta charset=\"utf-8\"><title>").append(WORDING.html(language, "subject", values))
                .append("</title></head>\n<body style=\"margin:0;padding:24px;background:#f4f4f5;")
                .append("font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#18181b\">\n")
                .append("<div style=\"max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px\">\n")
                .append("<p>").append(WORDING.html(language, "greeting")).append("</p>\n")
                .append("<p>").append(WORDING.html(language, "intro", values)).append("</p>\n")
                .append("<p>").append(WORDING.html(language, "action", values)).append("</p>\n")
                .append("<p><a href=\"").append(href).append("\" style=\"display:inline-block;padding:12px 20px;")
                .append("background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px\">")
                .append(WORDING.html(language, "button")).append("</a></p>\n")
                .append("<p style=\"font-size:13px;word-break:break-all\"><a href=\"").append(href).append("\">")
                .append(href).append("</a></p>\n")
                .append("<p>").append(WORDING.html(language, "ignore")).append("</p>\n")
                .append("</div>\n<p style=\"max-width:560px;margin:16px auto 0;font-size:13px;color:#52525b;")
                .append("text-align:center\">").append(WORDING.html(language, "sender", values));
        if (sender.postalAddress() != null) {
            html.append("<br>").append(Html.escape(sender.postalAddress()).replace("\n", "<br>"));
        }
        if (sender.dpoEmail() != null) {
            html.append("<br>").append(WORDING.html(language, "dpo", values));
        }
        return html.append("</p>\n</body></html>\n").toString();
    }
}
