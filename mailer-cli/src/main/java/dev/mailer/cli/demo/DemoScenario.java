package dev.mailer.cli.demo;

import dev.mailer.audience.GateRules;
import dev.mailer.audience.GateRulesJson;
import dev.mailer.audience.Recipient;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.contacts.ImportResult;
import dev.mailer.campaign.CampaignRecords;
import dev.mailer.store.Database;
import dev.mailer.consent.ConsentStore;
import dev.mailer.engine.Engine;
import dev.mailer.suppression.Suppressions;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fills a database with the sample shop's customers and every situation the consent gate knows:
 * what the CSV carries (consent, withdrawal, expiry, minors, bought lists) plus what happens after
 * import (unsubscribe from everything, bounces, complaints, operator blocks, legacy addresses that
 * were never valid, and people this month's newsletter already reached).
 */
public final class DemoScenario {
    /** Addresses carried over from the old shop platform, which never checked them. */
    public static final List<String> LEGACY_ADDRESSES = List.of(
            "marek.nowicki@@poczta.example", "zamowienia kawiarnia.example", "kasia.wrobel@localhost");
    private static final List<String> LEGACY_NAMES = List.of("Marek Nowicki", "Zamówienia hurtowe", "Kasia Wróbel");
    /** How many people a canary run of this month's campaign already reached. */
    public static final int ALREADY_SENT = 5;

    /** What the scenario did, for the demo to tell. */
    public record Prepared(Path csv, SampleShop.Summary sample, ImportResult imported, List<String> legacy,
                           List<String> alreadySent) {
    }

    private DemoScenario() {
    }

    public static Prepared prepare(Database database, Path workDir, LocalDate today, CampaignSpec campaign,
                                   String actor) {
        Path csv = workDir.resolve("kawiarnia-customers.csv");
        SampleShop.Summary sample = SampleShop.writeContacts(csv, today);
        Engine engine = new Engine(database);
        ImportResult imported = engine.contactImport().run(csv, "kawiarnia.example shop", false, actor, null);

        ConsentService consent = engine.consent();
        for (String email : sample.unsubscribeAll()) {
            consent.withdraw(email, ConsentStatement.ALL_PURPOSES, "reply: please remove me from all your lists", actor);
        }
        Suppressions suppressions = engine.suppressions();
        sample.bounced().forEach(e -> suppressions.add(e, "bounced", "550 5.1.1 mailbox does not exist (simulated)", actor));
        sample.complaint().forEach(e -> suppressions.add(e, "complaint", "marked as spam (simulated)", actor));
        sample.manualBlock().forEach(e -> suppressions.add(e, "manual", "asked by phone not to be mailed", actor));

        ConsentStore people = engine.stores().consent();
        database.inTransaction(() -> {
            for (int i = 0; i < LEGACY_ADDRESSES.size(); i++) {
                String raw = LEGACY_ADDRESSES.get(i);
                // the old platform stored anything; the gate must catch it, so it is inserted unvalidated
                long id = people.ensureContact(new EmailAddress(raw, raw.toLowerCase(Locale.ROOT)),
                        LEGACY_NAMES.get(i), "pl", List.of("customers"));
                people.appendConsent(id, new ConsentStatement(campaign.purpose(), ConsentStatement.GRANTED,
                        OffsetDateTime.now().minusMonths(3), "old shop platform", null, null,
                        OffsetDateTime.now().minusMonths(3), ConsentStatement.BASIS_CONSENT, false),
                        null, "demo: migrated from the old shop platform");
            }
            return null;
        });

        CampaignRecords campaigns = engine.stores().campaigns();
        List<String> alreadySent = database.inTransaction(() -> {
            long campaignId = campaigns.findOrCreate(campaign.name(), campaign.purpose(), campaign.template(),
                    GateRulesJson.write(campaign.gateRules(null)));
            List<Recipient> canary = engine.gate().eligible(campaign.gateRules(campaignId),
                    ALREADY_SENT + sample.featured().size());
            List<String> sent = new ArrayList<>();
            for (Recipient r : canary) {
                if (sent.size() == ALREADY_SENT) {
                    break;
                }
                if (!sample.featured().contains(r.emailNormalized())) {
                    campaigns.recordSent(campaignId, r.contactId(), "250 2.0.0 Ok: queued (demo canary run)",
                            "<demo-canary-" + r.contactId() + "@kawiarnia.example>");
                    sent.add(r.emailNormalized());
                }
            }
            return List.copyOf(sent);
        });
        return new Prepared(csv, sample, imported, LEGACY_ADDRESSES, alreadySent);
    }
}
