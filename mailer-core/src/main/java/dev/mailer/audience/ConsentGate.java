package dev.mailer.audience;

import dev.mailer.store.Database;
import dev.mailer.store.GateQuery;
import java.util.Map;

/** Who of a campaign's audience may be mailed, and why the others may not. */
public final class ConsentGate {
    private final Database database;

    public ConsentGate(Database database) {
        this.database = database;
    }

    public GateReport report(GateRules rules) {
        return database.withConnection(connection -> {
            long[] eligible = {0};
            Map<ExclusionReason, Long> excluded = GateQuery.countByReason(connection, rules, eligible);
            long considered = eligible[0] + excluded.values().stream().mapToLong(Long::longValue).sum();
            return new GateReport(considered, eligible[0], excluded);
        });
    }
}
