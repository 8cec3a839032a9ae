package dev.mailer.campaign;

import dev.mailer.contacts.EmailAddress;
import dev.mailer.audience.GateRulesJson;
import dev.mailer.audience.Verdict;
import dev.mailer.consent.ConsentService;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.message.MessageSettings;
import dev.mailer.message.OutgoingMessage;
import dev.mailer.template.RenderedMessage;
import dev.mailer.template.TemplateProblem;
import java.nio.file.Path;

/**
 * {@code mailer preview}: the exact message one contact would get. The campaign is registered (as
 * {@code send} would) so that the links in the preview work; nothing is sent.
 */
public final class Preview {
    private final CampaignPorts ports;

    public Preview(CampaignPorts ports) {
        this.ports = ports;
    }

    /**
     * @param reason the gate's reason code for this contact, null when the contact would be mailed
     */
    public record Result(OutgoingMessage message, RenderedMessage rendered, String reason) {
    }

    public Result of(CampaignSpec spec, MessageSettings settings, Path templatesDir, String email) {
        String normalized = EmailAddress.require(email).normalized();
        CampaignMessages messages;
        try {
            messages = CampaignMessages.prepare(spec, settings, templatesDir);
        } catch (CampaignInvalid invalid) {
            throw MailerException.of(ErrorKind.TEMPLATE, "The campaign is invalid: " + String.join(" ",
                    invalid.errors().stream().map(CampaignError::message).toList()));
        }
        return ports.transactions().inTransaction(() -> {
            long campaignId = ports.campaigns().findOrCreate(spec.name(), spec.purpose(), spec.template(),
                    GateRulesJson.write(spec.gateRules(null)));
            Verdict verdict = ports.gate().judge(spec.gateRules(campaignId), normalized)
                    .orElseThrow(() -> MailerException.usage("No contact with the address " + email.strip()
                            + " is in the audience of campaign " + spec.name() + "."));
            try {
                return new Result(messages.build(verdict.recipient(), campaignId),
                        messages.render(verdict.recipient(), campaignId),
                        verdict.reason() == null ? null : verdict.reason().code());
            } catch (TemplateProblem problem) {
                throw MailerException.of(ErrorKind.TEMPLATE, problem.getMessage());
            }
        });
    }
}
