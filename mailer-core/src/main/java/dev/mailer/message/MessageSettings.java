package dev.mailer.message;

import dev.mailer.template.MessageModel;
import dev.mailer.template.TemplateSet;
import dev.mailer.config.ConfigFileValues;
import java.net.URI;
import java.nio.file.Path;

/**
 * Everything about a campaign's messages that does not come from the template: who sends, where
 * unsubscribe links and bounces go, and how messages are signed.
 *
 * @param unsubscribeBaseUrl where {@code mailer serve} is reachable; links are {@code BASE/u/TOKEN}
 * @param bounceAddress      VERP base, {@code bounces@domain} → envelope {@code bounces+TOKEN@domain}
 * @param unsubscribeAddress mailto base, {@code unsubscribe@domain} → {@code unsubscribe+TOKEN@domain}
 * @param dkim               null when messages are not DKIM-signed
 * @param maxMessageSize     the most one rendered message may come to (subject, HTML and text, UTF-8
 *                           bytes); rendering stops there ({@code max-message-size} in mailer.yaml)
 */
public record MessageSettings(MailboxAddress from, MailboxAddress replyTo, MessageModel.Sender sender,
                              URI unsubscribeBaseUrl, String bounceAddress, String unsubscribeAddress,
                              TokenSigner tokens, DkimSigner dkim, long maxMessageSize) {

    public MessageSettings {
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
        }
    }

    /** With the default size cap ({@link TemplateSet#DEFAULT_MAX_MESSAGE_BYTES}). */
    public MessageSettings(MailboxAddress from, MailboxAddress replyTo, MessageModel.Sender sender,
                           URI unsubscribeBaseUrl, String bounceAddress, String unsubscribeAddress,
                           TokenSigner tokens, DkimSigner dkim) {
        this(from, replyTo, sender, unsubscribeBaseUrl, bounceAddress, unsubscribeAddress, tokens, dkim,
                TemplateSet.DEFAULT_MAX_MESSAGE_BYTES);
    }

    /**
     * The settings for messages from this sender (a campaign's, or a double opt-in request's) from the
     * config file, with SPEC §2's defaults: addresses and the unsubscribe site on the From domain when
     * not configured.
     */
    public static MessageSettings of(MailboxAddress from, MailboxAddress replyTo, ConfigFileValues config,
                                     TokenSigner tokens) {
        String domain = from.address().domain();
        ConfigFileValues.Sender sender = config.sender();
        DkimSigner dkim = config.dkim() == null ? null
                : DkimSigner.load(config.dkim().domain(), config.dkim().selector(), Path.of(config.dkim().privateKey()));
        return new MessageSettings(from, replyTo,
                new MessageModel.Sender(sender.organisation(), sender.postalAddress(),
                        sender.dpoEmail() == null ? null : sender.dpoEmail().address()),
                config.unsubscribeBaseUrl() != null ? config.unsubscribeBaseUrl() : URI.create("https://" + domain),
                config.bounceAddress() != null ? config.bounceAddress().normalized() : "bounces@" + domain,
                config.unsubscribeAddress() != null ? config.unsubscribeAddress().normalized() : "unsubscribe@" + domain,
                tokens, dkim, config.maxMessageSize() != null ? config.maxMessageSize() : TemplateSet.DEFAULT_MAX_MESSAGE_BYTES);
    }

    /** The part after '@' of the From address: Message-IDs and default addresses use it. */
    public String fromDomain() {
        return from.address().domain();
    }

    /** A page of {@code mailer serve}: {@code BASE/path}, e.g. {@code u/TOKEN}. */
    public String link(String path) {
        String base = unsubscribeBaseUrl.toString();
        return (base.endsWith("/") ? base : base + "/") + path;
    }

    /** The VERP envelope sender that carries this token: {@code bounces+TOKEN@domain}. */
    public String bounceAddress(String token) {
        return plusAddress(bounceAddress, token);
    }

    /** The List-Unsubscribe mailto address that carries this token: {@code unsubscribe+TOKEN@domain}. */
    public String unsubscribeAddress(String token) {
        return plusAddress(unsubscribeAddress, token);
    }

    private static String plusAddress(String address, String token) {
        int at = address.lastIndexOf('@');
        return address.substring(0, at) + "+" + token + address.substring(at);
    }
}
