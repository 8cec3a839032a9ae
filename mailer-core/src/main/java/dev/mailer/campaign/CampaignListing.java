package dev.mailer.campaign;

import java.time.OffsetDateTime;

/**
 * One line of {@code mailer campaign list}.
 *
 * @param open rows still to be sent: pending, deferred, or being sent
 */
public record CampaignListing(String name, String purpose, CampaignStatus status, OffsetDateTime created,
                              OffsetDateTime finished, long sent, long failed, long open, long held, long unknown,
                              long skipped, long cancelled) {
}
