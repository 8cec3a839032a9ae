package dev.mailer.campaign;

import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.GateReport;
import dev.mailer.audience.GateRules;
import dev.mailer.store.CampaignStore;
import dev.mailer.store.Database;
import java.util.List;

/**
 * {@code send --dry-run}: checks the campaign and reports who would be mailed and why the others
 * would not. Sends nothing and writes nothing.
 */
public final class DryRun {
    private final Database database;

    public DryRun(Database database) {
        this.database = database;
    }

    public SendReport run(CampaignSpec spec) {
        Long campaignId = database.withConnection(connection -> new CampaignStore(connection).findId(spec.name()))
                .orElse(null);
        GateReport gate = new ConsentGate(database).report(GateRules.of(spec, campaignId));
        return SendReport.dryRun(spec.name(), gate, List.of());
    }
}
