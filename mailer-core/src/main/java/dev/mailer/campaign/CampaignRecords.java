package dev.mailer.campaign;

import dev.mailer.delivery.DeliveryState;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What campaigns need from the store: their records, status and figures. Each call joins the unit
 * of work running on the calling thread ({@code Transactions.inTransaction}), if any.
 */
public interface CampaignRecords {
    Optional<Long> findId(String name);

    /** The campaign's id, creating it on first use; the same name again resumes the same campaign. */
    long findOrCreate(String name, String purpose, String template, String specJson);

    Optional<StoredCampaign> find(String name);

    void setStatus(long campaignId, CampaignStatus status);

    /** The campaign's status, its row locked until the unit of work ends (a run's start, a cancel). */
    CampaignStatus lockStatus(long campaignId);

    /** The sending curve and the answers by domain, for {@code report --html}. */
    CampaignPicture picture(long campaignId);

    /** The purposes, tags and locales the contacts hold, for a dry run's warnings. */
    AudienceValues audienceValues();

    /** Every campaign, newest first, with its rows by outcome. */
    List<CampaignListing> list();

    /** Cancels the campaign: its rows still to be sent become cancelled; returns how many. */
    long cancel(long campaignId);

    /** Delivery and feedback figures of a campaign. */
    CampaignFigures figures(long campaignId);

    /**
     * Held and deferred rows of a campaign, grouped by recipient domain and the relay's last reply
     * (the most frequent first, at most 1,000 groups).
     */
    List<Refusal> refusals(long campaignId);

    /** @param domain the recipients' domain; null for erased people */
    record Refusal(String domain, DeliveryState status, int code, String enhancedStatus, String reply, long rows) {
    }

    /**
     * Every recipient's outcome in delivery order, streamed one at a time, so a million of them
     * never sit in memory. Needs a unit of work (a cursor lives in a transaction).
     */
    void outcomes(long campaignId, Consumer<RecipientOutcome> consumer);

    /**
     * Records a delivery as sent that this installation did not send itself (the demo's earlier
     * "canary run"; tests), so the gate counts the person as {@code already_sent}.
     */
    void recordSent(long campaignId, long contactId, String smtpReply, String messageId);
}
