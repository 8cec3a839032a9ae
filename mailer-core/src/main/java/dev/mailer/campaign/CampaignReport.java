package dev.mailer.campaign;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mailer.audience.ExclusionReason;
import dev.mailer.audience.GateReport;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.GateRulesJson;
import dev.mailer.error.MailerException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mailer report CAMPAIGN}: a campaign's figures so far (SPEC §7): the gate as it stands
 * now, deliveries by outcome, bounces, complaints, unsubscribes, throughput, and the warnings of
 * SPEC §6a (the sender refused, asked to slow down) as the rows stand.
 */
public record CampaignReport(String campaign, CampaignStatus status, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                             long considered, Map<String, Long> excluded, long sent, long failed, long deferred,
                             long unknown, long pending, long skipped, long bouncedHard, long bouncedSoft,
                             long complaints, long unsubscribes, long held, long cancelled,
                             List<SendWarning> warnings, OffsetDateTime firstSentAt, OffsetDateTime lastSentAt,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Double elapsedSeconds,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Double messagesPerSecond) {

    public static CampaignReport of(CampaignPorts ports, String name) {
        StoredCampaign campaign = ports.campaigns().find(name)
                .orElseThrow(() -> MailerException.usage("There is no campaign named '" + name
                        + "'; campaigns are created by their first send or preview."));
        CampaignFigures figures = ports.campaigns().figures(campaign.id());
        GateRules rules = GateRulesJson.read(campaign.specJson(), campaign.id());
        GateReport gate = rules == null ? null : ports.gate().report(rules);
        Map<String, Long> excluded = new LinkedHashMap<>();
        for (ExclusionReason reason : ExclusionReason.values()) {
            excluded.put(reason.code(), gate == null ? 0 : gate.excluded(reason));
        }
        OffsetDateTime first = figures.firstSentAt();
        OffsetDateTime last = figures.lastSentAt();
        long sent = figures.sent();
        Double elapsed = first == null ? null : Math.max(Duration.between(first, last).toMillis() / 1000.0, 0.001);
        return new CampaignReport(campaign.name(), campaign.status(), campaign.startedAt(), campaign.finishedAt(),
                gate == null ? 0 : gate.considered(), excluded, sent, figures.failed(), figures.deferred(),
                figures.unknown(), figures.pending(), figures.skipped(), figures.bouncedHard(), figures.bouncedSoft(),
                figures.complaints(), figures.unsubscribes(), figures.held(), figures.cancelled(),
                StoredWarnings.of(ports.campaigns().refusals(campaign.id())), first, last,
                elapsed == null ? null : Math.round(elapsed * 100) / 100.0,
                elapsed == null ? null : Math.round(sent / elapsed * 10) / 10.0);
    }

    /** SPEC §7 names bounces as one figure split hard/soft: {@code "bounced": {"hard": 1, "soft": 2}}. */
    @JsonProperty("bounced")
    public Bounced bounced() {
        return new Bounced(bouncedHard, bouncedSoft);
    }

    /** Bounces of the campaign: hard ones suppress the address, soft ones only after the threshold. */
    public record Bounced(long hard, long soft) {
    }

    /** SPEC §7's word for the people who unsubscribed through this campaign; the same as {@link #unsubscribes()}. */
    @JsonProperty("unsubscribed")
    public long unsubscribed() {
        return unsubscribes;
    }
}
