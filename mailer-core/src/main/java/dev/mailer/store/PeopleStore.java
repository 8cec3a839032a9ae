package dev.mailer.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.Contact;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
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

/** Contacts, consent history, suppressions and erasure, on a connection the caller manages. */
public final class PeopleStore {
    private static final SqlQueries SQL = SqlQueries.load("people.sql");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection connection;

    public PeopleStore(Connection connection) {
        this.connection = connection;
    }

    public Optional<Contact> findContact(String normalizedEmail) throws SQLException {
        try (PreparedStatement statement = prepare("find-contact", Map.of("email_norm", normalizedEmail));
             ResultSet rs = statement.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            Array tags = rs.getArray("tags");
            return Optional.of(new Contact(rs.getLong("id"), rs.getString("email"), rs.getString("email_norm"),
                    rs.getString("name"), rs.getString("locale"),
                    tags == null ? List.of() : Arrays.asList((String[]) tags.getArray()),
                    rs.getObject("birth_date", LocalDate.class), attributes(rs.getString("attributes")),
                    rs.getObject("created_at", OffsetDateTime.class), rs.getObject("updated_at", OffsetDateTime.class)));
        }
    }

    /** The contact's id, creating a contact with only the address when there is none. */
    public long ensureContact(EmailAddress email) throws SQLException {
        return ensureContact(email, null, null, List.of());
    }

    /** The contact's id, creating it with this profile when there is none (an existing one is left as it is). */
    public long ensureContact(EmailAddress email, String name, String locale, List<String> tags) throws SQLException {
        Map<String, Object> params = new HashMap<>();
        params.put("email", email.address());
        params.put("email_norm", email.normalized());
        params.put("name", name);
        params.put("locale", locale);
        params.put("tags", tags);
        try (PreparedStatement statement = prepare("insert-contact", params);
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public boolean isErased(String normalizedEmail) throws SQLException {
        try (PreparedStatement statement = prepare("is-erased", Map.of("hash", AuditLog.hash(normalizedEmail)));
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    public long appendConsent(long contactId, ConsentStatement consent, String userAgent, String recordedVia)
            throws SQLException {
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
        try (PreparedStatement statement = prepare("insert-consent", params);
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public List<ConsentRecord> consentHistory(long contactId) throws SQLException {
        List<ConsentRecord> records = new ArrayList<>();
        try (PreparedStatement statement = prepare("consent-history", Map.of("contact_id", contactId));
             ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                records.add(new ConsentRecord(rs.getLong("id"), rs.getString("purpose"), rs.getString("status"),
                        rs.getObject("consent_at", OffsetDateTime.class), rs.getString("source"), rs.getString("ip"),
                        rs.getString("consent_text"), rs.getObject("confirmed_at", OffsetDateTime.class),
                        rs.getString("lawful_basis"), rs.getBoolean("parental_consent"), rs.getString("user_agent"),
                        rs.getObject("recorded_at", OffsetDateTime.class), rs.getString("recorded_via")));
            }
        }
        return records;
    }

    /** @return false when the address already had a suppression for that reason */
    public boolean addSuppression(String normalizedEmail, String reason, String detail, String origin)
            throws SQLException {
        Map<String, Object> params = new HashMap<>();
        params.put("email_norm", normalizedEmail);
        params.put("hash", AuditLog.hash(normalizedEmail));
        params.put("reason", reason);
        params.put("detail", detail);
        params.put("origin", origin);
        try (PreparedStatement statement = prepare("add-suppression", params)) {
            return statement.executeUpdate() > 0;
        }
    }

    public boolean removeSuppression(String normalizedEmail, String reason) throws SQLException {
        try (PreparedStatement statement = prepare("remove-suppression",
                Map.of("hash", AuditLog.hash(normalizedEmail), "reason", reason))) {
            return statement.executeUpdate() > 0;
        }
    }

    public List<Map<String, Object>> suppressions() throws SQLException {
        return rows("list-suppressions", Map.of());
    }

    public List<Map<String, Object>> suppressionsOf(String normalizedEmail) throws SQLException {
        return rows("suppressions-of", Map.of("hash", AuditLog.hash(normalizedEmail)));
    }

    public List<Map<String, Object>> deliveriesOf(long contactId) throws SQLException {
        return rows("deliveries-of", Map.of("contact_id", contactId));
    }

    public List<Map<String, Object>> feedbackOf(long contactId) throws SQLException {
        return rows("feedback-of", Map.of("contact_id", contactId));
    }

    /**
     * Deletes a person's personal data and keeps only the hash of the address on the suppression
     * list. Must run inside a transaction.
     */
    public void erase(String normalizedEmail, Long contactId, String origin) throws SQLException {
        byte[] hash = AuditLog.hash(normalizedEmail);
        execute("erase-allow", Map.of());
        if (contactId != null) {
            execute("erase-deliveries", Map.of("contact_id", contactId));
            execute("erase-feedback", Map.of("contact_id", contactId));
            execute("erase-contact", Map.of("contact_id", contactId));
        }
        execute("erase-suppressions", Map.of("hash", hash));
        execute("add-erased", Map.of("hash", hash, "origin", origin));
    }

    private void execute(String name, Map<String, ?> params) throws SQLException {
        try (PreparedStatement statement = prepare(name, params)) {
            statement.execute();
        }
    }

    private List<Map<String, Object>> rows(String name, Map<String, ?> params) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (PreparedStatement statement = prepare(name, params); ResultSet rs = statement.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String type = meta.getColumnTypeName(i);
                    Object value = type.startsWith("timestamp") ? rs.getObject(i, OffsetDateTime.class) : rs.getObject(i);
                    row.put(meta.getColumnLabel(i), value);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private PreparedStatement prepare(String name, Map<String, ?> params) throws SQLException {
        return NamedSql.parse(SQL.get(name)).prepare(connection, params);
    }

    private static Map<String, Object> attributes(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
