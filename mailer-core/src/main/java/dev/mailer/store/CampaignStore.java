package dev.mailer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    /** Records a delivery the SMTP server accepted. */
    public void recordSent(long campaignId, long contactId, String smtpReply, String messageId) throws SQLException {
        try (PreparedStatement statement = NamedSql.parse(SQL.get("record-sent")).prepare(connection,
                Map.of("campaign_id", campaignId, "contact_id", contactId, "smtp_reply", smtpReply,
                        "message_id", messageId))) {
            statement.executeUpdate();
        }
    }
}
