package dev.mailer.store;

import dev.mailer.audience.ExclusionReason;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.Recipient;
import java.sql.Array;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.function.Consumer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the consent gate's statements (gate.sql) for a campaign's rules. The gate itself is the
 * SQL function consent_gate (db/migration/V4__consent_gate.sql); each statement selects from it.
 */
public final class GateQuery {
    private static final SqlQueries SQL = SqlQueries.load("gate.sql");
    private static final NamedSql COUNT = SQL.named("count");
    private static final NamedSql ELIGIBLE = SQL.named("eligible");
    /** Unordered, so the first rows flow while PostgreSQL is still working through the rest. */
    private static final NamedSql ELIGIBLE_STREAM = SQL.named("eligible-stream");
    private static final NamedSql INSPECT = SQL.named("inspect");
    /**
     * The same for a known set of contacts, with the id filter unconditional: an "is null or"
     * condition keeps PostgreSQL from using the primary key, and senders ask this for every batch.
     */
    private static final NamedSql INSPECT_IDS = SQL.named("inspect-ids");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FETCH_SIZE = 2_000;

    private GateQuery() {
    }

    /**
     * Contacts of the audience with ids in ({@code afterContact}, {@code upToContact}] per reason;
     * the null key counts the eligible ones.
     */
    public static Map<ExclusionReason, Long> countByReason(Connection connection, GateRules rules, long afterContact,
                                                           long upToContact) throws SQLException {
        Map<String, Object> params = params(rules);
        params.put("after_contact", afterContact);
        params.put("up_to_contact", upToContact);
        Map<ExclusionReason, Long> counts = new HashMap<>();
        try (PreparedStatement statement = COUNT.prepare(connection, params);
             ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                countRow(rs, counts);
            }
        }
        return counts;
    }

    /** Adds the current row's reason code (first column; null: eligible) and count (second) to {@code counts}. */
    static void countRow(ResultSet rs, Map<ExclusionReason, Long> counts) throws SQLException {
        String reason = rs.getString(1);
        counts.put(reason == null ? null : ExclusionReason.ofCode(reason), rs.getLong(2));
    }

    /** Up to {@code limit} eligible contacts, in contact order. */
    public static List<Recipient> eligible(Connection connection, GateRules rules, long limit) throws SQLException {
        List<Recipient> recipients = new ArrayList<>();
        forEachEligible(connection, rules, limit, recipients::add);
        return recipients;
    }

    /** Up to {@code limit} eligible contacts, in contact order. */
    public static void forEachEligible(Connection connection, GateRules rules, long limit,
                                       Consumer<Recipient> consumer) throws SQLException {
        Map<String, Object> params = params(rules);
        params.put("limit", limit);
        stream(connection, ELIGIBLE, params, consumer);
    }

    /**
     * Streams every eligible contact, in no particular order, through a cursor: memory stays flat
     * however large the audience. The connection must not be in autocommit mode.
     */
    public static void streamEligible(Connection connection, GateRules rules, Consumer<Recipient> consumer)
            throws SQLException {
        stream(connection, ELIGIBLE_STREAM, params(rules), consumer);
    }

    private static void stream(Connection connection, NamedSql query, Map<String, Object> params,
                               Consumer<Recipient> consumer) throws SQLException {
        try (PreparedStatement statement = query.prepare(connection, params)) {
            statement.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    consumer.accept(recipient(rs));
                }
            }
        }
    }

    /** One contact as the gate sees it: its reason code (null when eligible). */
    public record Inspection(Recipient recipient, String reason) {
    }

    /**
     * How the gate judges one contact, or empty when no contact has that address or it is outside
     * the campaign's audience.
     */
    public static Optional<Inspection> inspect(Connection connection, GateRules rules, String normalizedEmail)
            throws SQLException {
        Map<String, Object> params = params(rules);
        params.put("only_email", normalizedEmail);
        try (PreparedStatement statement = INSPECT.prepare(connection, params);
             ResultSet rs = statement.executeQuery()) {
            return rs.next() ? Optional.of(new Inspection(recipient(rs), rs.getString("reason"))) : Optional.empty();
        }
    }

    /** The gate's verdict on these contacts now: reason code per contact (null = still eligible). */
    public static List<Inspection> inspect(Connection connection, GateRules rules, Collection<Long> contactIds)
            throws SQLException {
        Map<String, Object> params = params(rules);
        params.put("contact_ids", contactIds);
        List<Inspection> inspections = new ArrayList<>(contactIds.size());
        try (PreparedStatement statement = INSPECT_IDS.prepare(connection, params);
             ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                inspections.add(new Inspection(recipient(rs), rs.getString("reason")));
            }
        }
        return inspections;
    }

    private static Recipient recipient(ResultSet rs) throws SQLException {
        Array tags = rs.getArray("tags");
        return new Recipient(rs.getLong("contact_id"), rs.getString("email"), rs.getString("email_norm"),
                rs.getString("name"), rs.getString("locale"),
                tags == null ? List.of() : Arrays.asList((String[]) tags.getArray()),
                attributes(rs.getString("attributes")), rs.getString("consent_source"),
                rs.getObject("consent_at", OffsetDateTime.class), rs.getObject("confirmed_at", OffsetDateTime.class));
    }

    private static Map<String, String> attributes(String json) {
        if (json == null || json.equals("{}")) {
            return Map.of();
        }
        try {
            Map<String, String> attributes = new LinkedHashMap<>();
            JSON.readTree(json).fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
            return attributes;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("contact attributes are not JSON", e);
        }
    }

    static Map<String, Object> params(GateRules rules) {
        Map<String, Object> params = new HashMap<>();
        params.put("purpose", rules.purpose());
        params.put("require_confirmed", rules.requireConfirmed());
        params.put("allow_existing", rules.allowExistingCustomers());
        params.put("max_age", rules.maxConsentAge() == null ? null : rules.maxConsentAge().toString());
        params.put("minimum_age", rules.minimumAge());
        params.put("campaign_id", rules.campaignId());
        params.put("tags", rules.tags().isEmpty() ? null : rules.tags());
        params.put("locales", rules.locales().isEmpty() ? null : rules.locales());
        return params;
    }
}
