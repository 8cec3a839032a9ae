package dev.mailer.campaign;

import dev.mailer.audience.Recipient;
import dev.mailer.message.MessageSettings;
import dev.mailer.message.MimeComposer;
import dev.mailer.message.OutgoingMessage;
import dev.mailer.message.Token;
import dev.mailer.template.MessageModel;
import dev.mailer.template.RenderedMessage;
import dev.mailer.template.TemplateProblem;
import dev.mailer.template.TemplateSet;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One campaign's messages: templates parsed once, then one personal message per recipient —
 * signed links and addresses, the rendered parts, the MIME bytes, the DKIM signature.
 * Thread-safe: render and build from as many threads as there are cores.
 */
public final class CampaignMessages {
    private final CampaignSpec spec;
    private final MessageSettings settings;
    private final TemplateSet templates;
    private final MimeComposer composer = new MimeComposer();

    private CampaignMessages(CampaignSpec spec, MessageSettings settings, TemplateSet templates) {
        this.spec = spec;
        this.settings = settings;
        this.templates = templates;
    }

    /** Checks what can be checked before any recipient: the sender's details and the templates. */
    public static CampaignMessages prepare(CampaignSpec spec, MessageSettings settings, Path templatesDir)
            throws CampaignInvalid {
        List<CampaignError> errors = new ArrayList<>();
        MessageModel.Sender sender = settings.sender();
        if (sender.organisation() == null || sender.postalAddress() == null || sender.dpoEmail() == null) {
            errors.add(new CampaignError("sender_missing", "The sender's organisation, postal-address and dpo-email"
                    + " must be set under 'sender:' in mailer.yaml: every message's footer must say who sends it,"
                    + " from where, and whom to ask about personal data."));
        }
        TemplateSet templates = null;
        try {
            templates = TemplateSet.load(templatesDir, spec.template(), spec.subject(), settings.maxMessageSize());
        } catch (TemplateProblem problem) {
            errors.add(new CampaignError(problem.code(), problem.getMessage()));
        }
        if (!errors.isEmpty()) {
            throw new CampaignInvalid(errors);
        }
        return new CampaignMessages(spec, settings, templates);
    }

    /** The recipient's subject, HTML and text, checked to carry the unsubscribe link. */
    public RenderedMessage render(Recipient recipient, long campaignId) throws TemplateProblem {
        return render(recipient, unsubscribeToken(recipient, campaignId));
    }

    /** The unsubscribe token also opens the preference centre: the same person, the same rules. */
    private RenderedMessage render(Recipient recipient, String token) throws TemplateProblem {
        String unsubscribeUrl = unsubscribeUrl(token);
        Locale locale = recipient.locale() == null ? Locale.ROOT : Locale.forLanguageTag(recipient.locale());
        RenderedMessage rendered = templates.render(MessageModel.of(recipient, spec.name(), spec.purpose(),
                settings.sender(), unsubscribeUrl, settings.link("p/" + token)), locale);
        String where = recipient.locale() == null ? "" : " for locale " + recipient.locale();
        if (!rendered.html().contains(unsubscribeUrl)) {
            throw new TemplateProblem("template_unsubscribe", "The HTML part of template '" + spec.template() + "'"
                    + where + " does not show ${unsubscribeUrl}; every message must let its reader unsubscribe.");
        }
        if (!rendered.text().contains(unsubscribeUrl)) {
            throw new TemplateProblem("template_unsubscribe", "The text part of template '" + spec.template() + "'"
                    + where + " does not show ${unsubscribeUrl}; every message must let its reader unsubscribe.");
        }
        return rendered;
    }

    /** The complete message for one recipient, ready for SMTP. */
    public OutgoingMessage build(Recipient recipient, long campaignId) throws TemplateProblem {
        String token = unsubscribeToken(recipient, campaignId);
        RenderedMessage rendered = render(recipient, token);
        String domain = settings.fromDomain();
        MimeComposer.Composed composed = composer.compose(new MimeComposer.Envelope(settings.from(),
                settings.replyTo(), recipient.address(), recipient.name(), unsubscribeUrl(token),
                settings.unsubscribeAddress(token), feedbackId(), domain), rendered);
        byte[] bytes = settings.dkim() == null ? composed.bytes() : settings.dkim().sign(composed.bytes());
        String bounceToken = settings.tokens().sign(new Token(Token.Kind.BOUNCE, campaignId, recipient.contactId(),
                null, LocalDate.now().toEpochDay(), recipient.emailNormalized()));
        return new OutgoingMessage(recipient.contactId(), settings.bounceAddress(bounceToken),
                recipient.address(), composed.messageId(), bytes);
    }

    private String unsubscribeToken(Recipient recipient, long campaignId) {
        return settings.tokens().sign(new Token(Token.Kind.UNSUBSCRIBE, campaignId, recipient.contactId(), null,
                LocalDate.now().toEpochDay(), recipient.emailNormalized()));
    }

    private String unsubscribeUrl(String token) {
        return settings.link("u/" + token);
    }

    /** Gmail's Feedback-ID form, a:b:c:SenderId, so complaint rates can be told apart per campaign. */
    private String feedbackId() {
        // the campaign's name, as the README says: ':' separates the fields, so it cannot be in one
        return spec.name().replaceAll("[:\\s]", "-") + ":" + spec.purpose() + ":" + settings.fromDomain() + ":mailer";
    }
}
