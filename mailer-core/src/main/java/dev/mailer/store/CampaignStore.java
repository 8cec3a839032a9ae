package dev.mailer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Campaigns and their delivery rows. */
public final class CampaignStore {
    private static final SqlQueries SQL = SqlQueries.load("campaign.sql");
    private final Connection connection;

    public CampaignStore(Connection connection) {
        this.connection = connection;
    }

    public Optional<Long> findId(String name) throws SQLException {
        try (PreparedStatement statement = NamedSql.parse(SQL.get("find-campaign")).prepare(connection, Map.of("name", name));
             ResultSet rs = statement.executeQuery()) {
            return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
        }
    }

    /** The campaign's id, creating it on first use; the same name again resumes the same campaign. */
    public long findOrCreate(String name, String purpose, String template, String specJson) throws SQLException {
        try (PreparedStatement statement = NamedSql.parse(SQL.get("find-or-create-campaign")).prepare(connection,
                Map.of("name", name, "purpose", purpose, "template", template, "spec", specJson));
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A stored campaign. */
    public record StoredCampaign(long id, String name, String purpose, String template, String specJson, String status,
                                 OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    public Optional<StoredCampaign> find(String name) throws SQLException {
        try (PreparedStatement statement = NamedSql.parse(SQL.get("campaign-by-name")).prepare(connection, Map.of("name", name));
             ResultSet rs = statement.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new StoredCampaign(rs.getLong("id"), rs.getString("name"), rs.getString("purpose"),
                    rs.getString("template"), rs.getString("spec"), rs.getString("status"),
                    rs.getObject("created_at", OffsetDateTime.class), rs.getObject("started_at", OffsetDateTime.class),
                    rs.getObject("finished_at", OffsetDateTime.class)));
        }
    }

    /** Delivery and feedback figures of a campaign, column name to value. */
    public Map<String, Object> figures(long campaignId) throws SQLException {
        Map<String, Object> figures = new LinkedHashMap<>();
        for (String query : new String[] {"delivery-figures", "feedback-figures"}) {
            try (PreparedStatement statement = NamedSql.parse(SQL.get(query)).prepare(connection,
                    Map.of("campaign_id", campaignId));
                 ResultSet rs = statement.executeQuery()) {
                rs.next();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    String type = rs.getMetaData().getColumnTypeName(i);
                    figures.put(rs.getMetaData().getColumnLabel(i), type.startsWith("timestamp")
                            ? rs.getObject(i, OffsetDateTime.class) : rs.getObject(i));
                }
            }
        }
        return figures;
    }

    /** Receives rows one at a time, so a million of them never sit in memory. */
    @FunctionalInterface
    public interface RowHandler {
        void row(Map<String, Object> row);
    }

    /**
     * Every recipient's outcome in delivery order (report --csv), streamed through a cursor; the
     * connection must not be in auto-commit mode for PostgreSQL to use one.
     */
    public void outcomes(long campaignId, RowHandler handler) throws SQLException {
        try (PreparedStatement statement = NamedSql.parse(SQL.get("delivery-outcomes")).prepare(connection,
                Map.of("campaign_id", campaignId))) {
            statement.setFetchSize(1000);
            try (ResultSet rs = statement.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        String type = rs.getMetaData().getColumnTypeName(i);
                        row.put(rs.getMetaData().getColumnLabel(i), type.startsWith("timestamp")
                                ? rs.getObject(i, OffsetDateTime.class) : rs.getObject(i));
                    }
                    handler.row(row);
                }
            }
        }
    }

    /** Records a delivery the SMTP server accepted. */
    public void recordSent(long campaignId, long contactId, String smtpReply, String messageId) throws SQLException {
        try (PreparedStatement statement = NamedSql.parse(SQL.get("record-sent")).prepare(connection,
                Map.of("campaign_id", campaignId, "contact_id", contactId, "smtp_reply", smtpReply,
                        "message_id", messageId))) {
            statement.executeUpdate();
        }
    }
}
