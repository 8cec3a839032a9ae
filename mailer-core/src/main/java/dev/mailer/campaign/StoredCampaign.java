package dev.mailer.campaign;

import java.time.OffsetDateTime;

/**
 * A campaign as stored by its first preview or send.
 *
 * @param specJson the gate rules it was sent with ({@code GateRulesJson})
 */
public record StoredCampaign(long id, String name, String purpose, String template, String specJson,
                             CampaignStatus status, OffsetDateTime createdAt, OffsetDateTime startedAt,
                             OffsetDateTime finishedAt) {
}
