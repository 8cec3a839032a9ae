package dev.mailer.store;

import dev.mailer.audience.ExclusionReason;
import dev.mailer.audience.GateReport;
import dev.mailer.audience.GateRules;
import dev.mailer.delivery.BounceRecorder;
import dev.mailer.delivery.Claim;
import dev.mailer.delivery.DeliveryCounts;
import dev.mailer.delivery.DeliveryOutcome;
import dev.mailer.delivery.DeliveryRecords;
import dev.mailer.delivery.DeliveryWriter;
import dev.mailer.delivery.EnqueuedSlice;
import dev.mailer.error.MailerException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.Optional;

/**
 * Delivery rows (delivery.sql): enqueue, claim with leases, in-flight marks, outcomes, senders.
 * Every call runs on the connection of the unit of work on the calling thread, if there is one
 * ({@link Database#withConnection}); the delivery log writes through a session of its own
 * ({@link #openWriter}).
 */
public final class DeliveryStore implements DeliveryRecords {
    private static final SqlQueries SQL = SqlQueries.load("delivery.sql");
    private static final NamedSql WRITE_LOG = SQL.named("write-log");
    private static final NamedSql ENQUEUE = SQL.named("enqueue");

    private final Database database;

    DeliveryStore(Database database) {
        this.database = database;
    }

    @Override
    public EnqueuedSlice enqueue(GateRules rules, long afterContact, long upToContact) {
        return database.withConnection(connection -> {
            Map<String, Object> params = GateQuery.params(rules);
            params.put("after_contact", afterContact);
            params.put("up_to_contact", upToContact);
            try (PreparedStatement statement = ENQUEUE.prepare(connection, params);
                 ResultSet rs = statement.executeQuery()) {
                Map<ExclusionReason, Long> counts = new HashMap<>();
                int added = 0;
                while (rs.next()) {
                    GateQuery.countRow(rs, counts);
                    added = rs.getInt("added");
                }
                return new EnqueuedSlice(added, GateReport.of(counts));
            }
        });
    }

    @Override
    public void refreshStatistics() {
        update("analyze", Map.of());
    }

    @Override
    public long lastContactId() {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, "last-contact-id", Map.of());
                 ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public int markInDoubt(long campaignId) {
        return update("mark-in-doubt", Map.of("campaign_id", campaignId, "silent_seconds", SENDER_SILENT_SECONDS));
    }

    @Override
    public int releaseHeld(long campaignId) {
        return update("release-held", Map.of("campaign_id", campaignId));
    }

    @Override
    public int resendUnknown(long campaignId) {
        return update("resend-unknown", Map.of("campaign_id", campaignId));
    }

    @Override
    public List<Claim> claim(long campaignId, String owner, int batch, int leaseSeconds, long afterId) {
        return database.withConnection(connection -> {
            List<Claim> claims = new ArrayList<>();
            try (PreparedStatement statement = prepare(connection, "claim", Map.of("campaign_id", campaignId,
                    "owner", owner, "batch", batch, "lease_seconds", leaseSeconds, "after_id", afterId,
                    "silent_seconds", SENDER_SILENT_SECONDS));
                 ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    claims.add(new Claim(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getTimestamp(4).toInstant()));
                }
            }
            claims.sort((a, b) -> Long.compare(a.deliveryId(), b.deliveryId()));
            return claims;
        });
    }

    @Override
    public Optional<Instant> nextDeferred(long campaignId) {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, "next-deferred", Map.of("campaign_id", campaignId));
                 ResultSet rs = statement.executeQuery()) {
                rs.next();
                Timestamp next = rs.getTimestamp(1);
                return Optional.ofNullable(next == null ? null : next.toInstant());
            }
        });
    }

    @Override
    public void extendLeases(long campaignId, String owner, int leaseSeconds) {
        update("extend-leases", Map.of("campaign_id", campaignId, "owner", owner, "lease_seconds", leaseSeconds));
    }

    @Override
    public int releaseLeases(long campaignId, String owner) {
        return update("release-leases", Map.of("campaign_id", campaignId, "owner", owner));
    }

    @Override
    public void registerSender(long campaignId, String owner) {
        database.withConnection(connection -> {
            update(connection, "forget-dead-senders", Map.of());
            return update(connection, "register-sender", Map.of("campaign_id", campaignId, "owner", owner));
        });
    }

    @Override
    public boolean heartbeat(long campaignId, String owner) {
        return update("heartbeat", Map.of("campaign_id", campaignId, "owner", owner)) > 0;
    }

    @Override
    public List<Holder> heldByOthers(long campaignId, String owner) {
        return database.withConnection(connection -> {
            List<Holder> holders = new ArrayList<>();
            try (PreparedStatement statement = prepare(connection, "held-by-others", Map.of("campaign_id", campaignId,
                    "owner", owner, "silent_seconds", SENDER_SILENT_SECONDS));
                 ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    holders.add(new Holder(rs.getString("owner"), rs.getLong("rows"), rs.getDouble("silent_seconds")));
                }
            }
            return holders;
        });
    }

    @Override
    public int activeSenders(long campaignId, int aliveSeconds) {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, "active-senders",
                    Map.of("campaign_id", campaignId, "alive_seconds", aliveSeconds));
                 ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Override
    public void forgetSender(long campaignId, String owner) {
        update("forget-sender", Map.of("campaign_id", campaignId, "owner", owner));
    }

    @Override
    public DeliveryCounts counts(long campaignId) {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, "counts", Map.of("campaign_id", campaignId));
                 ResultSet rs = statement.executeQuery()) {
                rs.next();
                return new DeliveryCounts(rs.getLong("sent"), rs.getLong("failed"), rs.getLong("deferred"),
                        rs.getLong("unknown"), rs.getLong("pending"), rs.getLong("skipped"), rs.getLong("held"),
                        rs.getLong("cancelled"), rs.getLong("total"));
            }
        });
    }

    @Override
    public DeliveryWriter openWriter(long campaignId, String owner, BounceRecorder bounces) {
        return new Writer(campaignId, owner, bounces);
    }

    /**
     * The delivery log's session: its own pooled connection for the whole run, whose commits wait
     * for the disk (see DeliveryLog), each batch one statement in autocommit mode; a
     * transaction only when bounces add statements. A deadlock or serialization failure (another
     * statement touching the same rows) is retried.
     */
    private final class Writer implements DeliveryWriter {
        private final long campaignId;
        private final String owner;
        private final BounceRecorder bounces;
        private Connection connection;

        Writer(long campaignId, String owner, BounceRecorder bounces) {
            this.campaignId = campaignId;
            this.owner = owner;
            this.bounces = bounces;
        }

        @Override
        public Set<Long> write(List<DeliveryOutcome> outcomes, List<Long> marks) {
            try {
                return writeWithRetry(outcomes, marks);
            } catch (SQLException e) {
                throw database.error(e);
            }
        }

        private Set<Long> writeWithRetry(List<DeliveryOutcome> outcomes, List<Long> marks) throws SQLException {
            boolean bounces = outcomes.stream().anyMatch(o -> o.bounce() != null);
            for (int attempt = 1; ; attempt++) {
                Connection connection = connection();
                try {
                    if (connection.getAutoCommit() == bounces) {
                        connection.setAutoCommit(!bounces);
                    }
                    Set<Long> marked = writeLog(connection, campaignId, owner, outcomes, marks);
                    if (bounces) {
                        database.joined(connection, c -> {
                            outcomes.stream().filter(o -> o.bounce() != null)
                                    .forEach(o -> this.bounces.record(campaignId, o));
                            return null;
                        });
                        connection.commit();
                    }
                    return marked;
                } catch (SQLException | MailerException e) {
                    if (bounces) {
                        connection.rollback();
                    }
                    SQLException cause = e instanceof SQLException sql ? sql
                            : e.getCause() instanceof SQLException sql ? sql : null;
                    boolean transientFailure = cause != null
                            && ("40P01".equals(cause.getSQLState()) || "40001".equals(cause.getSQLState()));
                    if (!transientFailure || attempt == 5) {
                        throw e;
                    }
                }
            }
        }

        private Connection connection() throws SQLException {
            if (connection == null) {
                connection = database.dataSource().getConnection();
                // in-flight marks must outlive a crash of the database server itself: every
                // commit of this session waits for its WAL on disk (one fsync per batch of marks)
                try (var statement = connection.createStatement()) {
                    statement.execute("set synchronous_commit = on");
                    // write-log's arrays change length with every batch, so PostgreSQL kept planning it
                    // afresh: as long as running it. Its generic plan (the primary key per row) is the
                    // one any batch needs.
                    statement.execute("set plan_cache_mode = force_generic_plan");
                }
            }
            return connection;
        }

        @Override
        public void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // returning it to the pool failed; the pool replaces it
                }
                connection = null;
            }
        }
    }

    /**
     * Writes outcomes and marks the given rows 'sending', in one statement (one round trip); a row is
     * marked only while {@code owner} holds its lease. Returns the rows marked.
     */
    private static Set<Long> writeLog(Connection connection, long campaignId, String owner, List<DeliveryOutcome> outcomes,
                                      List<Long> marks) throws SQLException {
        List<Object> ids = new ArrayList<>();
        List<Object> statuses = new ArrayList<>();
        List<Object> codes = new ArrayList<>();
        List<Object> enhanced = new ArrayList<>();
        List<Object> replies = new ArrayList<>();
        List<Object> queueIds = new ArrayList<>();
        List<Object> messageIds = new ArrayList<>();
        List<Object> nextAttempts = new ArrayList<>();
        List<Object> skipReasons = new ArrayList<>();
        for (DeliveryOutcome outcome : outcomes) {
            ids.add(outcome.deliveryId());
            statuses.add(outcome.status().code());
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
        params.put("owner", owner);
        params.put("campaign_id", campaignId);
        params.put("silent_seconds", SENDER_SILENT_SECONDS);
        try (PreparedStatement statement = WRITE_LOG.prepare(connection, params);
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            java.sql.Array array = rs.getArray("marked");
            Set<Long> marked = new HashSet<>();
            if (array != null) {
                for (Object id : (Object[]) array.getArray()) {
                    marked.add(((Number) id).longValue());
                }
            }
            return marked;
        }
    }

    private int update(String name, Map<String, ?> params) {
        return database.withConnection(connection -> update(connection, name, params));
    }

    private static int update(Connection connection, String name, Map<String, ?> params) throws SQLException {
        try (PreparedStatement statement = prepare(connection, name, params)) {
            return statement.executeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection connection, String name, Map<String, ?> params)
            throws SQLException {
        return SQL.named(name).prepare(connection, params);
    }
}
