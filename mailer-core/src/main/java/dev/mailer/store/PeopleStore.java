package dev.mailer.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentRequest;
import dev.mailer.consent.ConsentStore;
import dev.mailer.consent.Contact;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.subject.SubjectStore;
import dev.mailer.suppression.SuppressionReason;
import dev.mailer.suppression.SuppressionStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Contacts, consent history, suppressions and erasure (people.sql), inside the caller's unit of
 * work when there is one.
 */
final class PeopleStore implements ConsentStore, SuppressionStore, SubjectStore {
    private static final SqlQueries SQL = SqlQueries.load("people.sql");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;

    PeopleStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<Contact> findContact(String normalizedEmail) {
        return contact("find-contact", Map.of("email_norm", normalizedEmail));
    }

    @Override
    public Optional<Contact> contact(long contactId) {
        return contact("contact-by-id", Map.of("contact_id", contactId));
    }

    @Override
    public Optional<Contact> lockContact(long contactId) {
        return contact("lock-contact", Map.of("contact_id", contactId));
    }

    private Optional<Contact> contact(String query, Map<String, ?> params) {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, query, params);
                 ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Array tags = rs.getArray("tags");
                return Optional.of(new Contact(rs.getLong("id"), rs.getString("email"), rs.getString("email_norm"),
                        rs.getString("name"), rs.getString("locale"),
                        tags == null ? List.of() : Arrays.asList((String[]) tags.getArray()),
                        rs.getObject("birth_date", LocalDate.class), attributes(rs.getString("attributes")),
                        rs.getObject("created_at", OffsetDateTime.class),
                        rs.getObject("updated_at", OffsetDateTime.class)));
            }
        });
    }

    @Override
    public long ensureContact(EmailAddress email, String name, String locale, List<String> tags) {
        Map<String, Object> params = new HashMap<>();
        params.put("email", email.address());
        params.put("email_norm", email.normalized());
        params.put("name", name);
        params.put("locale", locale);
        params.put("tags", tags);
        return queryLong("insert-contact", params);
    }

    @Override
    public boolean isErased(String normalizedEmail) {
        return queryLong("is-erased", Map.of("email_norm", normalizedEmail)) > 0;
    }

    @Override
    public long appendConsent(long contactId, ConsentStatement consent, String userAgent, String recordedVia) {
        Map<String, Object> params = new HashMap<>();
        params.put("contact_id", contactId);
        params.put("purpose", consent.purpose());
        params.put("status", consent.status());
        params.put("consent_at", consent.consentAt());
        params.put("source", consent.source());
        params.put("ip", consent.ip());
        params.put("consent_text", consent.consentText());
        params.put("confirmed_at", consent.confirmedAt());
        params.put("lawful_basis", consent.lawfulBasis());
        params.put("parental_consent", consent.parentalConsent());
        params.put("user_agent", userAgent);
        params.put("recorded_via", recordedVia);
        return queryLong("insert-consent", params);
    }

    @Override
    public long addRequest(ConsentRequest.New request) {
        Map<String, Object> params = new HashMap<>();
        params.put("contact_id", request.contactId());
        params.put("purpose", request.purpose());
        params.put("source", request.source());
        params.put("text_version", request.textVersion());
        params.put("client_ip", request.clientIp());
        params.put("tags", request.tags());
        return queryLong("insert-consent-request", params);
    }

    @Override
    public Optional<ConsentRequest> request(long requestId, long contactId) {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, "consent-request",
                    Map.of("request_id", requestId, "contact_id", contactId));
                 ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Array tags = rs.getArray("tags");
                return Optional.of(new ConsentRequest(rs.getLong("id"), rs.getLong("contact_id"),
                        rs.getString("purpose"), rs.getObject("requested_at", OffsetDateTime.class),
                        rs.getString("source"), rs.getString("text_version"),
                        tags == null ? List.of() : Arrays.asList((String[]) tags.getArray()),
                        rs.getObject("used_at", OffsetDateTime.class)));
            }
        });
    }

    @Override
    public boolean useRequest(long requestId) {
        return update("use-consent-request", Map.of("request_id", requestId)) > 0;
    }

    @Override
    public int requestsForContactSince(long contactId, OffsetDateTime since) {
        return (int) queryLong("requests-for-contact-since", Map.of("contact_id", contactId, "since", since));
    }

    @Override
    public int requestsFromClientSince(String clientIp, OffsetDateTime since) {
        return (int) queryLong("requests-from-ip-since", Map.of("client_ip", clientIp, "since", since));
    }

    @Override
    public boolean withdrawnSince(long contactId, String purpose, OffsetDateTime since) {
        return queryLong("withdrawn-since", Map.of("contact_id", contactId, "purpose", purpose, "since", since)) > 0;
    }

    @Override
    public void addTags(long contactId, List<String> tags) {
        if (!tags.isEmpty()) {
            update("add-tags", Map.of("contact_id", contactId, "tags", tags));
        }
    }

    @Override
    public List<ConsentRecord> consentHistory(long contactId) {
        return database.withConnection(connection -> {
            List<ConsentRecord> records = new ArrayList<>();
            try (PreparedStatement statement = prepare(connection, "consent-history", Map.of("contact_id", contactId));
                 ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    records.add(new ConsentRecord(rs.getLong("id"), rs.getString("purpose"), rs.getString("status"),
                            rs.getObject("consent_at", OffsetDateTime.class), rs.getString("source"),
                            rs.getString("ip"), rs.getString("consent_text"),
                            rs.getObject("confirmed_at", OffsetDateTime.class), rs.getString("lawful_basis"),
                            rs.getBoolean("parental_consent"), rs.getString("user_agent"),
                            rs.getObject("recorded_at", OffsetDateTime.class), rs.getString("recorded_via")));
                }
            }
            return records;
        });
    }

    @Override
    public boolean add(String normalizedEmail, SuppressionReason reason, String detail, String origin) {
        Map<String, Object> params = new HashMap<>();
        params.put("email_norm", normalizedEmail);
        params.put("reason", reason.code());
        params.put("detail", detail);
        params.put("origin", origin);
        return update("add-suppression", params) > 0;
    }

    @Override
    public boolean remove(String normalizedEmail, SuppressionReason reason) {
        return update("remove-suppression", Map.of("email_norm", normalizedEmail, "reason", reason.code())) > 0;
    }

    @Override
    public int softBounces(long contactId, int windowDays) {
        return (int) queryLong("soft-bounces", Map.of("contact_id", contactId, "window_days", windowDays));
    }

    @Override
    public List<Map<String, Object>> list() {
        return rows("list-suppressions", Map.of());
    }

    @Override
    public List<Map<String, Object>> of(String normalizedEmail) {
        return rows("suppressions-of", Map.of("email_norm", normalizedEmail));
    }

    @Override
    public List<Map<String, Object>> deliveriesOf(long contactId) {
        return rows("deliveries-of", Map.of("contact_id", contactId));
    }

    @Override
    public List<Map<String, Object>> feedbackOf(long contactId) {
        return rows("feedback-of", Map.of("contact_id", contactId));
    }

    @Override
    public void erase(String normalizedEmail, Long contactId, String origin) {
        database.inTransaction(connection -> {
            execute(connection, "erase-allow", Map.of());
            if (contactId != null) {
                execute(connection, "erase-deliveries", Map.of("contact_id", contactId));
                execute(connection, "erase-feedback", Map.of("contact_id", contactId));
                execute(connection, "erase-contact", Map.of("contact_id", contactId));
            }
            execute(connection, "erase-suppressions", Map.of("email_norm", normalizedEmail));
            execute(connection, "add-erased", Map.of("email_norm", normalizedEmail, "origin", origin));
            return null;
        });
    }

    private static void execute(Connection connection, String name, Map<String, ?> params) throws SQLException {
        try (PreparedStatement statement = prepare(connection, name, params)) {
            statement.execute();
        }
    }

    private int update(String name, Map<String, ?> params) {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, name, params)) {
                return statement.executeUpdate();
            }
        });
    }

    /** The first column of the only row, as a number (a boolean counts as 0 or 1). */
    private long queryLong(String name, Map<String, ?> params) {
        return database.withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, name, params);
                 ResultSet rs = statement.executeQuery()) {
                rs.next();
                Object value = rs.getObject(1);
                return value instanceof Boolean b ? (b ? 1L : 0L) : ((Number) value).longValue();
            }
        });
    }

    private List<Map<String, Object>> rows(String name, Map<String, ?> params) {
        return database.withConnection(connection -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement statement = prepare(connection, name, params);
                 ResultSet rs = statement.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        String type = meta.getColumnTypeName(i);
                        Object value = type.startsWith("timestamp") ? rs.getObject(i, OffsetDateTime.class)
                                : rs.getObject(i);
                        row.put(meta.getColumnLabel(i), value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        });
    }

    private static PreparedStatement prepare(Connection connection, String name, Map<String, ?> params)
            throws SQLException {
        return SQL.named(name).prepare(connection, params);
    }

    private static Map<String, Object> attributes(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
