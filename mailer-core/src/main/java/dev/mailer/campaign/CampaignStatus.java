package dev.mailer.campaign;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where a campaign stands (the {@code campaign.status} column, bound by {@link #code()}): created by
 * its first preview or send, sending while a run works on it, paused when a run ended with work
 * left (deferred rows, a limit, a stop), finished when no row is pending or deferred, cancelled
 * for good by {@code mailer campaign cancel} (its open rows are never sent, its name not reused).
 */
public enum CampaignStatus {
    CREATED("created"),
    SENDING("sending"),
    PAUSED("paused"),
    FINISHED("finished"),
    CANCELLED("cancelled");

    private final String code;

    CampaignStatus(String code) {
        this.code = code;
    }

    /** The name stored in the database and printed by {@code report}. */
    @JsonValue
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }

    public static CampaignStatus ofCode(String code) {
        for (CampaignStatus status : values()) {
            if (status.code.equals(code)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown campaign status " + code);
    }
}
