package dev.mailer.campaign;

import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.GateStore;
import dev.mailer.delivery.BounceRecorder;
import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.transaction.Transactions;
import java.util.Objects;

/**
 * What the campaign stage works with, wired in by whoever runs it (the engine's
 * {@code Engine.campaignPorts}): units of work, campaign records, delivery rows, the consent gate,
 * and where the bounces of permanent SMTP failures go (the feedback recorder).
 */
public record CampaignPorts(Transactions transactions, CampaignRecords campaigns, DeliveryRecords deliveries,
                            GateStore gateStore, BounceRecorder bounces) {

    public CampaignPorts {
        Objects.requireNonNull(transactions, "transactions");
        Objects.requireNonNull(campaigns, "campaigns");
        Objects.requireNonNull(deliveries, "deliveries");
        Objects.requireNonNull(gateStore, "gateStore");
        Objects.requireNonNull(bounces, "bounces");
    }

    public ConsentGate gate() {
        return new ConsentGate(gateStore);
    }
}
