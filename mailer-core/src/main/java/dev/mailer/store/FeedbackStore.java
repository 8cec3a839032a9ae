package dev.mailer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Feedback events, the suppressions they lead to, and the contacts and campaigns that signed links
 * name (feedback.sql), on a connection the caller manages.
 */
public final class FeedbackStore {
    private static final SqlQueries SQL = SqlQueries.load("feedback.sql");

    private final Connection connection;

    public FeedbackStore(Connection connection) {
        this.connection = connection;
    }

    /** The contact a token names, if it still exists (an erased person's contact does not). */
    public record ContactRef(long id, String normalizedEmail, String locale) {
    }

    /** The campaign a token names. */
    public record CampaignRef(long id, String name, String purpose) {
    }

    /** One event to record; ids may be null when the feedback could not be tied to them. */
    public record Event(String sourceKey, String type, Long contactId, Long campaignId, Boolean hard, String status,
                        String diagnostic) {
    }

    public Optional<ContactRef> contact(long contactId) throws SQLException {
        return contact("contact-by-id", contactId);
    }

    /**
     * The contact, locked until the transaction ends, so that a double click on a confirmation
     * link records one consent; empty when it no longer exists (erased). Must run in a transaction.
     */
    public Optional<ContactRef> lockContact(long contactId) throws SQLException {
        return contact("lock-contact", contactId);
    }

    private Optional<ContactRef> contact(String query, long contactId) throws SQLException {
        try (PreparedStatement statement = prepare(query, Map.of("contact_id", contactId));
             ResultSet rs = statement.executeQuery()) {
            return rs.next()
                    ? Optional.of(new ContactRef(rs.getLong("id"), rs.getString("email_norm"), rs.getString("locale")))
                    : Optional.empty();
        }
    }

    public Optional<CampaignRef> campaign(long campaignId) throws SQLException {
        try (PreparedStatement statement = prepare("campaign-by-id", Map.of("campaign_id", campaignId));
             ResultSet rs = statement.executeQuery()) {
            return rs.next()
                    ? Optional.of(new CampaignRef(rs.getLong("id"), rs.getString("name"), rs.getString("purpose")))
                    : Optional.empty();
        }
    }

    /** @return false when an event with this source key was recorded before */
    public boolean insertEvent(Event event) throws SQLException {
        Map<String, Object> params = new HashMap<>();
        params.put("source_key", event.sourceKey());
        params.put("type", event.type());
        params.put("contact_id", event.contactId());
        params.put("campaign_id", event.campaignId());
        params.put("hard", event.hard());
        params.put("status", event.status());
        params.put("diagnostic", event.diagnostic());
        try (PreparedStatement statement = prepare("insert-event", params); ResultSet rs = statement.executeQuery()) {
            return rs.next();
        }
    }

    /**
     * Suppresses the contact (reason bounced) once it has {@code limit} soft bounces within the
     * window. Erased people are never stored again.
     *
     * @return true when this call added the suppression
     */
    public boolean suppressAfterSoftBounces(long contactId, int limit, int windowDays, String origin)
            throws SQLException {
        try (PreparedStatement statement = prepare("suppress-after-soft-bounces", Map.of("contact_id", contactId,
                "limit", limit, "window_days", windowDays, "origin", origin))) {
            return statement.executeUpdate() > 0;
        }
    }

    private PreparedStatement prepare(String name, Map<String, ?> params) throws SQLException {
        return NamedSql.parse(SQL.get(name)).prepare(connection, params);
    }
}
