package dev.mailer.store;

import dev.mailer.audience.GateStore;
import dev.mailer.campaign.CampaignPorts;
import dev.mailer.campaign.CampaignRecords;
import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.transaction.Transactions;

/**
 * The store's side of every stage's interface, over one {@link Database}: whoever wires the
 * stages (the command line, tests) asks here for the implementation a stage needs.
 */
public final class Stores {
    private final Database database;
    private final GateStore gate;
    private final DeliveryStore deliveries;
    private final CampaignStore campaigns;

    public Stores(Database database) {
        this.database = database;
        this.gate = new PostgresGate(database);
        this.deliveries = new DeliveryStore(database);
        this.campaigns = new CampaignStore(database);
    }

    public Transactions transactions() {
        return database;
    }

    public GateStore gate() {
        return gate;
    }

    public DeliveryRecords deliveries() {
        return deliveries;
    }

    public CampaignRecords campaigns() {
        return campaigns;
    }

    /** Everything the campaign stage (send, dry run, preview, report) works with. */
    public CampaignPorts campaignPorts() {
        return new CampaignPorts(database, campaigns, deliveries, gate);
    }
}
