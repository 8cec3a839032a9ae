package dev.mailer.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.audience.GateRules;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Period;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How PostgreSQL runs the gate's statements: the function consent_gate is inlined (never a
 * "Function Scan", which would compute the whole audience for every call), and the re-check of a
 * sender's batch and the look-up of one address go through the contact table's keys instead of
 * reading every contact.
 */
class GatePlanTest {
    private static final SqlQueries GATE = SqlQueries.load("gate.sql");
    private static final int CONTACTS = 20_000;
    private static TestDatabase db;
    private static long campaignId;

    @BeforeAll
    static void seed() {
        db = TestDatabase.fresh();
        db.update("insert into contact (email, email_norm, locale, tags)"
                + " select 'p' || i || '@example.com', 'p' || i || '@example.com',"
                + " case when i % 3 = 0 then 'en' else 'pl' end,"
                + " case when i % 5 = 0 then '{staff}'::text[] else '{customers}'::text[] end"
                + " from generate_series(1, ?) i", CONTACTS);
        db.update("insert into consent_record (contact_id, purpose, status, consent_at, confirmed_at, recorded_via)"
                + " select id, 'newsletter', 'granted', now() - (id % 1000) * interval '1 day',"
                + " case when id % 4 = 0 then null else now() end, 'test' from contact");
        db.update("insert into consent_record (contact_id, purpose, status, consent_at, recorded_via)"
                + " select id, '*', 'withdrawn', now(), 'test' from contact where id % 11 = 0");
        db.update("insert into suppression (email_norm, email_hash, reason, origin)"
                + " select email_norm, sha256(convert_to(email_norm, 'UTF8')), 'bounced', 'test'"
                + " from contact where id % 13 = 0");
        campaignId = db.count("insert into campaign (name, purpose, template) values ('plan', 'newsletter', 't')"
                + " returning id");
        db.update("insert into delivery (campaign_id, contact_id, status) select ?, id, 'sent'"
                + " from contact where id % 2 = 0", campaignId);
        for (String table : List.of("contact", "consent_record", "suppression", "campaign", "delivery")) {
            db.update("analyze " + table);
        }
    }

    @AfterAll
    static void close() {
        db.close();
    }

    private static GateRules rules() {
        return new GateRules("newsletter", true, false, Period.ofMonths(24), 16, List.of("customers"),
                List.of("pl", "sr-latn", "en"), campaignId);
    }

    @Test
    void theFunctionKeepsWhatInliningAndParallelPlansNeed() {
        // inlined only when: language sql, not volatile, not strict, not security definer, no SET
        // clause; and parallel workers only when declared parallel safe, as PostgreSQL decides that
        // before it inlines (the count over a million contacts runs in three processes, not one)
        assertThat(db.rows("select l.lanname, p.provolatile, p.proisstrict, p.prosecdef, p.proconfig is null,"
                + " p.proretset, p.proparallel from pg_proc p join pg_language l on l.oid = p.prolang"
                + " where p.proname = 'consent_gate'"))
                .containsExactly(List.of("sql", "s", "f", "f", "t", "t", "s"));
    }

    @Test
    void theFunctionIsInlinedInEveryStatement() throws SQLException {
        Map<String, Object> params = GateQuery.params(rules());
        params.put("limit", 100L);
        params.put("only_email", "p7@example.com");
        params.put("contact_ids", List.of(1L, 2L, 3L));
        params.put("after_contact", 0L);
        params.put("up_to_contact", Long.MAX_VALUE);
        for (String name : List.of("count", "eligible", "eligible-stream", "inspect", "inspect-ids")) {
            assertThat(plan(GATE.get(name), params)).as(name)
                    .doesNotContain("Function Scan")
                    .contains("on contact a");
        }
        assertThat(plan(SqlQueries.load("delivery.sql").get("enqueue"), params)).as("enqueue")
                .doesNotContain("Function Scan")
                .contains("on contact a");
    }

    @Test
    void aSliceOfTheAudienceReachesTheContactsByThePrimaryKey() throws SQLException {
        Map<String, Object> params = GateQuery.params(rules());
        params.put("after_contact", 10_000L); // a slice of a large audience: a small share of its contacts
        params.put("up_to_contact", 11_000L);

        String plan = plan(SqlQueries.load("delivery.sql").get("enqueue"), params);

        assertThat(plan).containsPattern("(Index Scan using|Bitmap Index Scan on) contact_pkey")
                .contains("id > ")
                .doesNotContain("Seq Scan on contact");
    }

    @Test
    void aBatchOfIdsIsLookedUpByThePrimaryKey() throws SQLException {
        Map<String, Object> params = GateQuery.params(rules());
        params.put("contact_ids", LongStream.rangeClosed(1, 500).map(i -> i * 37).boxed().toList());

        String plan = plan(GATE.get("inspect-ids"), params);

        assertThat(plan).containsPattern("(Index Scan using|Bitmap Index Scan on) contact_pkey on contact a"
                        + "|Bitmap Index Scan on contact_pkey")
                .contains("Index Cond: (id = ANY")
                .doesNotContain("Seq Scan on contact");
    }

    @Test
    void oneAddressIsLookedUpByItsKey() throws SQLException {
        Map<String, Object> params = GateQuery.params(rules());
        params.put("only_email", "p7@example.com");

        String plan = plan(GATE.get("inspect"), params);

        assertThat(plan).contains("contact_email_norm_key").doesNotContain("Seq Scan on contact");
    }

    @Test
    void theAnswersAreTheOnesThePlansAreFor() {
        List<GateQuery.Inspection> batch = db.database().withConnection(c ->
                GateQuery.inspect(c, rules(), List.of(1L, 5L, 7L, 22L, 26L, 39L, 143L)));
        Map<Long, String> reasons = batch.stream().collect(Collectors.toMap(i -> i.recipient().contactId(),
                i -> String.valueOf(i.reason())));
        // 5 is staff, outside the audience; 22 withdrew from everything; 26 and 39 bounced; 143 both
        assertThat(reasons).containsOnly(Map.entry(1L, "null"), Map.entry(7L, "null"),
                Map.entry(22L, "suppressed_unsubscribed"), Map.entry(26L, "suppressed_bounced"),
                Map.entry(39L, "suppressed_bounced"), Map.entry(143L, "suppressed_unsubscribed"));

        assertThat(inspect("p4@example.com"))
                .hasValueSatisfying(i -> assertThat(i.reason()).isEqualTo("unconfirmed"));
        assertThat(inspect("p6@example.com"))
                .hasValueSatisfying(i -> assertThat(i.reason()).isEqualTo("already_sent"));
        assertThat(inspect("p999@example.com"))
                .hasValueSatisfying(i -> assertThat(i.reason()).isEqualTo("consent_expired"));
        assertThat(inspect("p5@example.com")).isEmpty();
    }

    private static Optional<GateQuery.Inspection> inspect(String email) {
        return db.database().withConnection(c -> GateQuery.inspect(c, rules(), email));
    }

    /** EXPLAIN of the statement with these values bound, as the stores run it. */
    private static String plan(String sql, Map<String, Object> params) throws SQLException {
        return db.database().withConnection(connection -> explain(connection, sql, params));
    }

    private static String explain(Connection connection, String sql, Map<String, Object> params)
            throws SQLException {
        try (PreparedStatement statement = NamedSql.parse("explain " + sql).prepare(connection, params);
             ResultSet rs = statement.executeQuery()) {
            StringBuilder plan = new StringBuilder();
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
            return plan.toString();
        }
    }
}
