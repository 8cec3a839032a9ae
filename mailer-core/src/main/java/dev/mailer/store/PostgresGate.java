package dev.mailer.store;

import dev.mailer.audience.ExclusionReason;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.GateStore;
import dev.mailer.audience.Recipient;
import dev.mailer.audience.Verdict;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The consent gate's questions answered by its SQL ({@link GateQuery}). */
final class PostgresGate implements GateStore {
    private final Database database;

    PostgresGate(Database database) {
        this.database = database;
    }

    @Override
    public Map<ExclusionReason, Long> countByReason(GateRules rules, long afterContact, long upToContact) {
        return database.withConnection(connection ->
                GateQuery.countByReason(connection, rules, afterContact, upToContact));
    }

    @Override
    public List<Recipient> eligible(GateRules rules, long limit) {
        return database.withConnection(connection -> GateQuery.eligible(connection, rules, limit));
    }

    @Override
    public void streamEligible(GateRules rules, Consumer<Recipient> consumer) {
        // a cursor needs a transaction; it only reads
        database.inTransaction(connection -> {
            GateQuery.streamEligible(connection, rules, consumer);
            return null;
        });
    }

    @Override
    public Optional<Verdict> judge(GateRules rules, String normalizedEmail) {
        return database.withConnection(connection -> GateQuery.inspect(connection, rules, normalizedEmail))
                .map(PostgresGate::verdict);
    }

    @Override
    public List<Verdict> judge(GateRules rules, Collection<Long> contactIds) {
        return database.withConnection(connection -> GateQuery.inspect(connection, rules, contactIds))
                .stream().map(PostgresGate::verdict).toList();
    }

    private static Verdict verdict(GateQuery.Inspection inspection) {
        return new Verdict(inspection.recipient(),
                inspection.reason() == null ? null : ExclusionReason.ofCode(inspection.reason()));
    }
}
