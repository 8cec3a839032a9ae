package dev.mailer.campaign;

import java.time.OffsetDateTime;

/**
 * A campaign's delivery rows by status and its feedback events by kind, for {@code report}.
 *
 * @param firstSentAt when its first message went out; null when none did
 */
public record CampaignFigures(long sent, long failed, long deferred, long unknown, long pending, long skipped,
                              long held, long cancelled, OffsetDateTime firstSentAt, OffsetDateTime lastSentAt, long bouncedHard,
                              long bouncedSoft, long complaints, long unsubscribes) {
}
