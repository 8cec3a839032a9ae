package dev.mailer.store;

import dev.mailer.feedback.FeedbackEvents;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Feedback events and the campaigns that signed links name (feedback.sql). */
final class FeedbackStore implements FeedbackEvents {
    private static final SqlQueries SQL = SqlQueries.load("feedback.sql");
    private static final NamedSql CAMPAIGN = SQL.named("campaign-by-id");
    private static final NamedSql INSERT = SQL.named("insert-event");
    private static final NamedSql WAS_MAILED = SQL.named("was-mailed");

    private final Database database;

    FeedbackStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<Campaign> campaign(long campaignId) {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = CAMPAIGN.prepare(connection, Map.of("campaign_id", campaignId));
                 ResultSet rs = statement.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Campaign(rs.getLong("id"), rs.getString("name"), rs.getString("purpose")))
                        : Optional.empty();
            }
        });
    }

    @Override
    public boolean wasMailed(long contactId) {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = WAS_MAILED.prepare(connection, Map.of("contact_id", contactId));
                 ResultSet rs = statement.executeQuery()) {
                return rs.next() && rs.getBoolean("mailed");
            }
        });
    }

    @Override
    public boolean insert(Event event) {
        Map<String, Object> params = new HashMap<>();
        params.put("source_key", event.sourceKey());
        params.put("type", event.type().json());
        params.put("contact_id", event.contactId());
        params.put("campaign_id", event.campaignId());
        params.put("hard", event.hard());
        params.put("status", event.status());
        params.put("diagnostic", event.diagnostic());
        params.put("fault", event.fault() == null ? null : event.fault().json());
        return database.withConnection(connection -> {
            try (PreparedStatement statement = INSERT.prepare(connection, params);
                 ResultSet rs = statement.executeQuery()) {
                return rs.next();
            }
        });
    }
}
