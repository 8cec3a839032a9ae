package dev.mailer.campaign;

import dev.mailer.contacts.EmailAddress;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.GateRulesJson;
import dev.mailer.consent.ConsentService;
import dev.mailer.error.MailerException;
import dev.mailer.message.MessageSettings;
import dev.mailer.message.OutgoingMessage;
import dev.mailer.store.CampaignStore;
import dev.mailer.store.Database;
import dev.mailer.store.GateQuery;
import dev.mailer.template.RenderedMessage;
import dev.mailer.template.TemplateProblem;
import java.nio.file.Path;

/**
 * {@code mailer preview}: the exact message one contact would get. The campaign is registered (as
 * {@code send} would) so that the links in the preview work; nothing is sent.
 */
public final class Preview {
    private final Database database;

    public Preview(Database database) {
        this.database = database;
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
            throw MailerException.usage("The campaign is invalid: " + String.join(" ",
                    invalid.errors().stream().map(CampaignError::message).toList()));
        }
        return database.inTransaction(connection -> {
            long campaignId = new CampaignStore(connection).findOrCreate(spec.name(), spec.purpose(), spec.template(),
                    GateRulesJson.write(spec.gateRules(null)));
            GateQuery.Inspection inspection = GateQuery.inspect(connection, spec.gateRules(campaignId), normalized)
                    .orElseThrow(() -> MailerException.usage("No contact with the address " + email.strip()
                            + " is in the audience of campaign " + spec.name() + "."));
            try {
                return new Result(messages.build(inspection.recipient(), campaignId),
                        messages.render(inspection.recipient(), campaignId), inspection.reason());
            } catch (TemplateProblem problem) {
                throw MailerException.usage(problem.getMessage());
            }
        });
    }
}
