package dev.mailer.store;

import dev.mailer.audience.GateStore;
import dev.mailer.audit.AuditTrail;
import dev.mailer.consent.ConsentStore;
import dev.mailer.contacts.ImportStore;
import dev.mailer.feedback.FeedbackEvents;
import dev.mailer.subject.SubjectStore;
import dev.mailer.suppression.SuppressionStore;
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
    private final PeopleStore people;
    private final AuditTrail audit;
    private final FeedbackEvents feedback;
    private final ImportStore imports;
    private final DeliveryStore deliveries;
    private final CampaignStore campaigns;

    public Stores(Database database) {
        this.database = database;
        this.gate = new PostgresGate(database);
        this.people = new PeopleStore(database);
        this.audit = new AuditLog(database);
        this.feedback = new FeedbackStore(database);
        this.imports = new ContactImports(database);
        this.deliveries = new DeliveryStore(database);
        this.campaigns = new CampaignStore(database);
    }

    public Transactions transactions() {
        return database;
    }

    public GateStore gate() {
        return gate;
    }

    public ConsentStore consent() {
        return people;
    }

    public SuppressionStore suppressions() {
        return people;
    }

    public SubjectStore subjects() {
        return people;
    }

    public AuditTrail audit() {
        return audit;
    }

    public FeedbackEvents feedback() {
        return feedback;
    }

    public ImportStore imports() {
        return imports;
    }

    public DeliveryRecords deliveries() {
        return deliveries;
    }

    public CampaignRecords campaigns() {
        return campaigns;
    }
}
