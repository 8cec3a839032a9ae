package dev.mailer.store;

import dev.mailer.campaign.AudienceValues;
import dev.mailer.campaign.CampaignPicture;
import dev.mailer.campaign.CampaignListing;
import dev.mailer.campaign.CampaignFigures;
import dev.mailer.campaign.CampaignRecords;
import dev.mailer.campaign.CampaignStatus;
import dev.mailer.campaign.RecipientOutcome;
import dev.mailer.campaign.StoredCampaign;
import dev.mailer.delivery.DeliveryState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Campaigns (campaign.sql): their records, status and figures. Over {@link Database} (from
 * {@link Stores#campaigns()}) every call joins the unit of work on the calling thread, if any.
 */
public final class CampaignStore implements CampaignRecords {
    private static final SqlQueries SQL = SqlQueries.load("campaign.sql");
    private final Database database;

    CampaignStore(Database database) {
        this.database = database;
    }

    @Override
    public List<CampaignListing> list() {
        return database.withConnection(c -> {
            List<CampaignListing> campaigns = new ArrayList<>();
            try (PreparedStatement statement = prepare(c, "campaign-list", Map.of());
                 ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    campaigns.add(new CampaignListing(rs.getString("name"), rs.getString("purpose"),
                            CampaignStatus.ofCode(rs.getString("status")),
                            rs.getObject("created_at", OffsetDateTime.class),
                            rs.getObject("finished_at", OffsetDateTime.class), rs.getLong("sent"),
                            rs.getLong("failed"), rs.getLong("open"), rs.getLong("held"), rs.getLong("unknown"),
                            rs.getLong("skipped"), rs.getLong("cancelled")));
                }
            }
            return campaigns;
        });
    }

    @Override
    public CampaignPicture picture(long campaignId) {
        return database.withConnection(c -> {
            long[] slices = new long[60];
            int used = 0;
            try (PreparedStatement statement = prepare(c, "sending-curve", Map.of("campaign_id", campaignId));
                 ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    slices[rs.getInt("slice")] = rs.getLong("sent");
                    used = Math.max(used, rs.getInt("slice") + 1);
                }
            }
            List<Long> curve = new ArrayList<>();
            for (int i = 0; i < used; i++) {
                curve.add(slices[i]);
            }
            List<CampaignPicture.Domain> domains = new ArrayList<>();
            try (PreparedStatement statement = prepare(c, "domain-figures", Map.of("campaign_id", campaignId));
                 ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    domains.add(new CampaignPicture.Domain(rs.getString("domain"), rs.getLong("sent"),
                            rs.getLong("hard"), rs.getLong("soft"), rs.getLong("complaints")));
                }
            }
            return new CampaignPicture(curve, domains);
        });
    }

    @Override
    public AudienceValues audienceValues() {
        return database.withConnection(c -> new AudienceValues(strings(c, "granted-purposes"), strings(c, "contact-tags"),
                strings(c, "contact-locales")));
    }

    private static java.util.Set<String> strings(java.sql.Connection c, String query) throws java.sql.SQLException {
        java.util.Set<String> values = new java.util.HashSet<>();
        try (PreparedStatement statement = prepare(c, query, Map.of("limit", AudienceValues.MAX_VALUES));
             ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    @Override
    public CampaignStatus lockStatus(long campaignId) {
        return database.withConnection(c -> {
            try (PreparedStatement statement = prepare(c, "lock-campaign-status", Map.of("campaign_id", campaignId));
                 ResultSet rs = statement.executeQuery()) {
                rs.next();
                return CampaignStatus.ofCode(rs.getString(1));
            }
        });
    }

    @Override
    public long cancel(long campaignId) {
        return database.withConnection(c -> {
            long rows;
            try (PreparedStatement statement = prepare(c, "cancel-deliveries", Map.of("campaign_id", campaignId))) {
                rows = statement.executeUpdate();
            }
            try (PreparedStatement statement = prepare(c, "cancel-campaign", Map.of("campaign_id", campaignId))) {
                statement.executeUpdate();
            }
            return rows;
        });
    }

    @Override
    public Optional<Long> findId(String name) {
        return database.withConnection(c -> {
            try (PreparedStatement statement = prepare(c, "find-campaign", Map.of("name", name));
                 ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        });
    }

    @Override
    public long findOrCreate(String name, String purpose, String template, String specJson) {
        return database.withConnection(c -> {
            try (PreparedStatement statement = prepare(c, "find-or-create-campaign",
                    Map.of("name", name, "purpose", purpose, "template", template, "spec", specJson));
                 ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public Optional<StoredCampaign> find(String name) {
        return database.withConnection(c -> {
            try (PreparedStatement statement = prepare(c, "campaign-by-name", Map.of("name", name));
                 ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredCampaign(rs.getLong("id"), rs.getString("name"), rs.getString("purpose"),
                        rs.getString("template"), rs.getString("spec"), CampaignStatus.ofCode(rs.getString("status")),
                        rs.getObject("created_at", OffsetDateTime.class), rs.getObject("started_at", OffsetDateTime.class),
                        rs.getObject("finished_at", OffsetDateTime.class)));
            }
        });
    }

    @Override
    public void setStatus(long campaignId, CampaignStatus status) {
        database.withConnection(c -> {
            try (PreparedStatement statement = prepare(c, "set-status",
                    Map.of("campaign_id", campaignId, "status", status.code()))) {
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public CampaignFigures figures(long campaignId) {
        return database.withConnection(c -> {
            try (PreparedStatement deliveries = prepare(c, "delivery-figures", Map.of("campaign_id", campaignId));
                 ResultSet d = deliveries.executeQuery();
                 PreparedStatement feedback = prepare(c, "feedback-figures", Map.of("campaign_id", campaignId));
                 ResultSet f = feedback.executeQuery()) {
                d.next();
                f.next();
                return new CampaignFigures(d.getLong("sent"), d.getLong("failed"), d.getLong("deferred"),
                        d.getLong("unknown"), d.getLong("pending"), d.getLong("skipped"), d.getLong("held"),
                        d.getLong("cancelled"), d.getObject("first_sent_at", OffsetDateTime.class),
                        d.getObject("last_sent_at", OffsetDateTime.class), f.getLong("bounced_hard"),
                        f.getLong("bounced_soft"), f.getLong("complaints"), f.getLong("unsubscribes"));
            }
        });
    }

    @Override
    public List<Refusal> refusals(long campaignId) {
        return database.withConnection(c -> {
            try (PreparedStatement statement = prepare(c, "delivery-refusals", Map.of("campaign_id", campaignId));
                 ResultSet rs = statement.executeQuery()) {
                List<Refusal> refusals = new ArrayList<>();
                while (rs.next()) {
                    String domain = rs.getString("domain");
                    refusals.add(new Refusal(domain == null || domain.isEmpty() ? null : domain,
                            DeliveryState.ofCode(rs.getString("status")), rs.getInt("smtp_code"),
                            rs.getString("enhanced_status"), rs.getString("smtp_reply"), rs.getLong("rows")));
                }
                return refusals;
            }
        });
    }

    /**
     * Streamed through a cursor: the connection must not be in auto-commit mode for PostgreSQL to
     * use one, so call it inside a unit of work.
     */
    @Override
    public void outcomes(long campaignId, Consumer<RecipientOutcome> consumer) {
        database.withConnection(c -> {
            try (PreparedStatement statement = prepare(c, "delivery-outcomes", Map.of("campaign_id", campaignId))) {
                statement.setFetchSize(1000);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        consumer.accept(new RecipientOutcome(rs.getString("email"), rs.getString("status"),
                                rs.getInt("attempts"), rs.getObject("smtp_code", Integer.class),
                                rs.getString("enhanced_status"), rs.getString("smtp_reply"), rs.getString("queue_id"),
                                rs.getString("message_id"), rs.getObject("sent_at", OffsetDateTime.class),
                                rs.getObject("next_attempt_at", OffsetDateTime.class), rs.getString("skip_reason"),
                                rs.getObject("updated_at", OffsetDateTime.class), rs.getString("bounce"),
                                rs.getBoolean("complaint"), rs.getBoolean("unsubscribed")));
                    }
                }
            }
            return null;
        });
    }

    @Override
    public void recordSent(long campaignId, long contactId, String smtpReply, String messageId) {
        database.withConnection(c -> {
            try (PreparedStatement statement = prepare(c, "record-sent", Map.of("campaign_id", campaignId,
                    "contact_id", contactId, "smtp_reply", smtpReply, "message_id", messageId))) {
                return statement.executeUpdate();
            }
        });
    }

    private static PreparedStatement prepare(Connection connection, String name, Map<String, ?> params)
            throws SQLException {
        return SQL.named(name).prepare(connection, params);
    }
}
