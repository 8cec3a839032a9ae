package dev.mailer.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.audit.AuditTrail;
import java.sql.PreparedStatement;
import java.util.Map;

/** The audit trail in table audit_log; the person's hash is the database's email_hash(). */
final class AuditLog implements AuditTrail {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;

    AuditLog(Database database) {
        this.database = database;
    }

    @Override
    public void record(String actor, String action, String normalizedEmail, Map<String, ?> detail) {
        String json;
        try {
            json = JSON.writeValueAsString(detail);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        database.withConnection(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "insert into audit_log (actor, action, subject_hash, detail) values (?, ?, email_hash(?), ?::jsonb)")) {
                statement.setString(1, actor);
                statement.setString(2, action);
                statement.setString(3, normalizedEmail);
                statement.setString(4, json);
                return statement.executeUpdate();
            }
        });
    }
}
