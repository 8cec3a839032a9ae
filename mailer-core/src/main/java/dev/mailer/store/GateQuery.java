package dev.mailer.store;

import dev.mailer.audience.ExclusionReason;
import dev.mailer.audience.GateRules;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.HashMap;
import java.util.Map;

/** Runs the consent gate's SQL (gate.sql) for a campaign's rules. */
public final class GateQuery {
    private static final SqlQueries SQL = SqlQueries.load("gate.sql");
    private static final NamedSql COUNT = NamedSql.parse(
            "select reason, count(*) from (" + SQL.get("contact-reasons") + ") gate group by reason");
    private static final NamedSql ELIGIBLE = NamedSql.parse(
            "select gate.contact_id, c.email_norm from (" + SQL.get("contact-reasons") + ") gate"
                    + " join contact c on c.id = gate.contact_id where gate.reason is null order by gate.contact_id limit :limit");

    private GateQuery() {
    }

    /** Contacts of the audience per reason; the null key counts the eligible ones. */
    public static Map<ExclusionReason, Long> countByReason(Connection connection, GateRules rules,
                                                           long[] eligibleOut) throws SQLException {
        Map<ExclusionReason, Long> counts = new EnumMap<>(ExclusionReason.class);
        try (PreparedStatement statement = COUNT.prepare(connection, params(rules));
             ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                String reason = rs.getString(1);
                if (reason == null) {
                    eligibleOut[0] = rs.getLong(2);
                } else {
                    counts.put(ExclusionReason.ofCode(reason), rs.getLong(2));
                }
            }
        }
        return counts;
    }

    /** A contact the gate lets through. */
    public record Recipient(long contactId, String emailNormalized) {
    }

    /** Up to {@code limit} eligible contacts, in contact order. */
    public static List<Recipient> eligible(Connection connection, GateRules rules, int limit) throws SQLException {
        Map<String, Object> params = params(rules);
        params.put("limit", limit);
        List<Recipient> recipients = new ArrayList<>();
        try (PreparedStatement statement = ELIGIBLE.prepare(connection, params);
             ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                recipients.add(new Recipient(rs.getLong(1), rs.getString(2)));
            }
        }
        return recipients;
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
