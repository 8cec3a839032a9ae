package dev.mailer.engine;

import dev.mailer.audience.ConsentGate;
import dev.mailer.campaign.CampaignPorts;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ContactImport;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.feedback.http.FeedbackServer;
import dev.mailer.feedback.http.ServerSettings;
import dev.mailer.message.MessageSettings;
import dev.mailer.optin.ConsentConfirmation;
import dev.mailer.optin.PreferenceCentre;
import dev.mailer.optin.DoubleOptIn;
import dev.mailer.store.Database;
import dev.mailer.store.Stores;
import dev.mailer.subject.DataSubject;
import dev.mailer.suppression.SoftBouncePolicy;
import dev.mailer.suppression.Suppressions;
import java.net.InetSocketAddress;

/**
 * The stages wired to one database: the only place that knows both the stages and the store that
 * implements their interfaces. The command line and the tests build their services here.
 */
public final class Engine {
    private final Database database;
    private final Stores stores;
    private final Suppressions suppressions;

    public Engine(Database database) {
        this.database = database;
        this.stores = new Stores(database);
        this.suppressions = new Suppressions(stores.transactions(), stores.suppressions(), stores.audit());
    }

    public Database database() {
        return database;
    }

    public Stores stores() {
        return stores;
    }

    /**
     * What the campaign stage (send, dry run, preview, report) works with; permanent SMTP failures
     * are recorded as bounces by the same recorder as the feedback mailbox's, under {@code policy}.
     */
    public CampaignPorts campaignPorts(SoftBouncePolicy policy) {
        FeedbackRecorder bounces = feedbackRecorder(policy, FeedbackRecorder.SMTP_REPLY);
        return new CampaignPorts(stores.transactions(), stores.campaigns(), stores.deliveries(), stores.gate(),
                (campaignId, failed) -> bounces.smtpBounce(campaignId, failed.contactId(), failed.deliveryId(),
                        failed.bounce().hard(), failed.bounce().status(), failed.bounce().diagnostic()));
    }

    /** The same with the default soft-bounce policy. */
    public CampaignPorts campaignPorts() {
        return campaignPorts(SoftBouncePolicy.DEFAULT);
    }

    public ConsentGate gate() {
        return new ConsentGate(stores.gate());
    }

    public ConsentService consent() {
        return new ConsentService(stores.transactions(), stores.consent(), stores.audit());
    }

    public Suppressions suppressions() {
        return suppressions;
    }

    public DataSubject subjects() {
        return new DataSubject(stores.transactions(), stores.consent(), suppressions, stores.subjects(),
                stores.audit());
    }

    public ContactImport contactImport() {
        return new ContactImport(stores.transactions(), stores.imports(), stores.audit());
    }

    /** @param origin who records, for suppressions and the audit log (e.g. {@code feedback poll}) */
    public FeedbackRecorder feedbackRecorder(SoftBouncePolicy policy, String origin) {
        return new FeedbackRecorder(stores.transactions(), stores.consent(), stores.feedback(), suppressions,
                stores.audit(), policy, origin);
    }

    /** @param recordedVia kept with each record and as the audit log's actor, e.g. {@code mailer serve} */
    public ConsentConfirmation confirmation(String recordedVia) {
        return new ConsentConfirmation(stores.transactions(), stores.consent(), stores.audit(), recordedVia);
    }

    /** @param actor for the audit log, e.g. {@code cli anna@host} */
    public DoubleOptIn doubleOptIn(MessageSettings settings, String actor) {
        return new DoubleOptIn(stores.transactions(), stores.consent(), gate(), stores.audit(), settings, actor);
    }

    /** Starts {@code mailer serve}'s HTTP endpoints over this database. */
    public FeedbackServer serve(ServerSettings settings, InetSocketAddress address) {
        return serve(settings, address, line -> { });
    }

    /** @param accessLog told one line per request (method, route without token, status, time) */
    public FeedbackServer serve(ServerSettings settings, InetSocketAddress address,
                                java.util.function.Consumer<String> accessLog) {
        return FeedbackServer.start(feedbackRecorder(SoftBouncePolicy.DEFAULT, FeedbackServer.ORIGIN),
                confirmation(FeedbackServer.ORIGIN), preferenceCentre(settings.purposes(), FeedbackServer.ORIGIN),
                database::answers, settings, address, accessLog);
    }

    /** @param recordedVia kept with each record and as the audit log's actor, e.g. {@code mailer serve} */
    public PreferenceCentre preferenceCentre(dev.mailer.config.Purposes purposes, String recordedVia) {
        return new PreferenceCentre(stores.transactions(), stores.consent(), gate(), stores.audit(), purposes,
                recordedVia);
    }
}
