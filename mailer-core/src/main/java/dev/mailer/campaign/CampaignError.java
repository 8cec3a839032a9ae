package dev.mailer.campaign;

/** A campaign-level problem that makes the campaign invalid, e.g. a template error (SPEC §6 {@code errors}). */
public record CampaignError(String code, String message) {
    public static final String CAMPAIGN_FILE = "campaign_file";
}
