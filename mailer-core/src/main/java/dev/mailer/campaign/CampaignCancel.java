package dev.mailer.campaign;

import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;

/**
 * {@code mailer campaign cancel NAME}: stops a campaign for good. Its rows still to be sent
 * (pending, deferred, held) become {@code cancelled} and are never sent, and a later send of the
 * same name is refused ({@link CampaignRun}). Refused while a send of it runs: the campaign row is
 * locked for the check, as a run's start locks it, so the two never cross.
 */
public final class CampaignCancel {
    private final CampaignPorts ports;

    /** What a cancel did. */
    public record Result(String campaign, boolean alreadyCancelled, long rowsCancelled) {
    }

    public CampaignCancel(CampaignPorts ports) {
        this.ports = ports;
    }

    /**
     * @throws MailerException usage for an unknown name; busy while a send of it runs
     */
    public Result cancel(String name) {
        return ports.transactions().inTransaction(() -> {
            StoredCampaign campaign = ports.campaigns().find(name).orElseThrow(() -> MailerException.usage(
                    "There is no campaign named '" + name + "'; 'mailer campaign list' shows them."));
            CampaignStatus status = ports.campaigns().lockStatus(campaign.id());
            if (status == CampaignStatus.CANCELLED) {
                return new Result(name, true, 0);
            }
            int senders = ports.deliveries().activeSenders(campaign.id(), DeliveryRecords.SENDER_SILENT_SECONDS);
            if (senders > 0) {
                throw new MailerException(ErrorKind.BUSY, "A send of campaign '" + name + "' is running now ("
                        + senders + (senders == 1 ? " process" : " processes") + "): stop it (Ctrl-C or SIGTERM)"
                        + " and cancel again; nothing was cancelled.");
            }
            return new Result(name, false, ports.campaigns().cancel(campaign.id()));
        });
    }

    /** The sentence a send of a cancelled campaign ends with (exit 2). */
    static MailerException refusal(StoredCampaign campaign) {
        return MailerException.usage("The campaign '" + campaign.name() + "' was cancelled"
                + (campaign.finishedAt() == null ? "" : " on " + campaign.finishedAt().toLocalDate())
                + "; nothing was sent. Give --name NEW to send this file as a new campaign.");
    }
}
