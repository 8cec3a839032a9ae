package dev.mailer.store;

import dev.mailer.audience.GateRules;
import dev.mailer.delivery.Outcome;
import dev.mailer.feedback.SoftBouncePolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Delivery rows (delivery.sql): enqueue, claim with leases, in-flight marks, outcomes, senders. */
public final class DeliveryStore {
    private static final SqlQueries SQL = SqlQueries.load("delivery.sql");
    private static final NamedSql WRITE_LOG = NamedSql.parse(SQL.get("write-log"));
    private static final NamedSql ENQUEUE = SQL.named("enqueue");

    private final Connection connection;

    public DeliveryStore(Connection connection) {
        this.connection = connection;
    }

    /** A row claimed by this sender. */
    public record Claim(long deliveryId, long contactId, int attempts, Instant createdAt) {
    }

    public void connectionAutoCommit(boolean autoCommit) throws SQLException {
        if (connection.getAutoCommit() != autoCommit) {
            connection.setAutoCommit(autoCommit);
        }
    }

    public void commit() throws SQLException {
        connection.commit();
    }

    /** This session's commits return before their WAL reaches the disk (see DeliveryLog). */
    public void commitWithoutWaitingForDisk() throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("set synchronous_commit = off");
        }
    }

    /** Creates a pending row for every eligible contact that has none; returns how many. */
    public int enqueue(GateRules rules) throws SQLException {
        Map<String, Object> params = GateQuery.params(rules);
        int added;
        try (PreparedStatement statement = ENQUEUE.prepare(connection, params)) {
            added = statement.executeUpdate();
        }
        if (added > 1000) {
            update("analyze", Map.of());
        }
        return added;
    }

    /** Rows left 'sending' by a sender that died: their fate is unknown. */
    public int markInDoubt(long campaignId) throws SQLException {
        return update("mark-in-doubt", Map.of("campaign_id", campaignId));
    }

    public int resendUnknown(long campaignId) throws SQLException {
        return update("resend-unknown", Map.of("campaign_id", campaignId));
    }

    /** Claims up to {@code batch} rows with ids above {@code afterId} (0: from the start). */
    public List<Claim> claim(long campaignId, String owner, int batch, int leaseSeconds, long afterId)
            throws SQLException {
        List<Claim> claims = new ArrayList<>();
        try (PreparedStatement statement = prepare("claim", Map.of("campaign_id", campaignId, "owner", owner,
                "batch", batch, "lease_seconds", leaseSeconds, "after_id", afterId));
             ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                claims.add(new Claim(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getTimestamp(4).toInstant()));
            }
        }
        claims.sort((a, b) -> Long.compare(a.deliveryId(), b.deliveryId()));
        return claims;
    }

    /** When the earliest deferred delivery is due, or null when none is deferred. */
    public Instant nextDeferred(long campaignId) throws SQLException {
        try (PreparedStatement statement = prepare("next-deferred", Map.of("campaign_id", campaignId));
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            Timestamp next = rs.getTimestamp(1);
            return next == null ? null : next.toInstant();
        }
    }

    public void extendLeases(long campaignId, String owner, int leaseSeconds) throws SQLException {
        update("extend-leases", Map.of("campaign_id", campaignId, "owner", owner, "lease_seconds", leaseSeconds));
    }

    /** Gives back claimed rows that were never handed to SMTP, so another sender can take them at once. */
    public void releaseLeases(long campaignId, String owner) throws SQLException {
        update("release-leases", Map.of("campaign_id", campaignId, "owner", owner));
    }

    /**
     * Writes outcomes and marks the given rows 'sending', in one statement (one round trip).
     * Bounces among the outcomes are recorded after it.
     */
    public void write(long campaignId, List<Outcome> outcomes, List<Long> marks) throws SQLException {
        List<Object> ids = new ArrayList<>();
        List<Object> statuses = new ArrayList<>();
        List<Object> codes = new ArrayList<>();
        List<Object> enhanced = new ArrayList<>();
        List<Object> replies = new ArrayList<>();
        List<Object> queueIds = new ArrayList<>();
        List<Object> messageIds = new ArrayList<>();
        List<Object> nextAttempts = new ArrayList<>();
        List<Object> skipReasons = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            ids.add(outcome.deliveryId());
            statuses.add(outcome.status());
            codes.add(outcome.code() == 0 ? null : outcome.code());
            enhanced.add(outcome.enhancedStatus());
            replies.add(outcome.reply());
            queueIds.add(outcome.queueId());
            messageIds.add(outcome.messageId());
            nextAttempts.add(outcome.nextAttemptAt() == null ? null : outcome.nextAttemptAt().toString());
            skipReasons.add(outcome.skipReason());
        }
        Map<String, Object> params = new HashMap<>();
        params.put("ids", ids);
        params.put("statuses", statuses);
        params.put("codes", codes);
        params.put("enhanced", enhanced);
        params.put("replies", replies);
        params.put("queue_ids", queueIds);
        params.put("message_ids", messageIds);
        params.put("next_attempts", nextAttempts);
        params.put("skip_reasons", skipReasons);
        params.put("marks", marks);
        try (PreparedStatement statement = WRITE_LOG.prepare(connection, params)) {
            statement.executeQuery().close();
        }
        for (Outcome outcome : outcomes) {
            if (outcome.bounce() != null) {
                recordBounce(campaignId, outcome);
            }
        }
    }

    private void recordBounce(long campaignId, Outcome outcome) throws SQLException {
        Outcome.Bounce bounce = outcome.bounce();
        Map<String, Object> params = new HashMap<>();
        params.put("source_key", "smtp:" + outcome.deliveryId());
        params.put("contact_id", outcome.contactId());
        params.put("campaign_id", campaignId);
        params.put("hard", bounce.hard());
        params.put("status", bounce.status());
        params.put("diagnostic", bounce.diagnostic());
        update("record-bounce", params);
        if (bounce.hard()) {
            Map<String, Object> suppress = new HashMap<>();
            suppress.put("contact_id", outcome.contactId());
            suppress.put("detail", bounce.diagnostic());
            update("suppress-bounced", suppress);
        } else {
            SoftBouncePolicy policy = SoftBouncePolicy.DEFAULT;
            new FeedbackStore(connection).suppressAfterSoftBounces(outcome.contactId(), policy.limit(),
                    policy.windowDays(), "smtp reply");
        }
    }

    /** Registers this sender; senders silent for ten minutes (killed) are forgotten on the way. */
    public void registerSender(long campaignId, String owner) throws SQLException {
        update("forget-dead-senders", Map.of());
        update("register-sender", Map.of("campaign_id", campaignId, "owner", owner));
    }

    public void heartbeat(long campaignId, String owner) throws SQLException {
        update("heartbeat", Map.of("campaign_id", campaignId, "owner", owner));
    }

    public int activeSenders(long campaignId, int aliveSeconds) throws SQLException {
        try (PreparedStatement statement = prepare("active-senders",
                Map.of("campaign_id", campaignId, "alive_seconds", aliveSeconds));
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            return Math.max(1, rs.getInt(1));
        }
    }

    public void unregisterSender(long campaignId, String owner) throws SQLException {
        update("unregister-sender", Map.of("campaign_id", campaignId, "owner", owner));
    }

    /** Rows per status for the campaign: sent, failed, deferred, unknown, pending, skipped, total. */
    public Map<String, Long> counts(long campaignId) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (PreparedStatement statement = prepare("counts", Map.of("campaign_id", campaignId));
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                counts.put(rs.getMetaData().getColumnLabel(i), rs.getLong(i));
            }
        }
        return counts;
    }

    public void setCampaignStatus(long campaignId, String status) throws SQLException {
        update("set-status", Map.of("campaign_id", campaignId, "status", status));
    }

    private int update(String name, Map<String, ?> params) throws SQLException {
        try (PreparedStatement statement = prepare(name, params)) {
            return statement.executeUpdate();
        }
    }

    private PreparedStatement prepare(String name, Map<String, ?> params) throws SQLException {
        return NamedSql.parse(SQL.get(name)).prepare(connection, params);
    }
}
