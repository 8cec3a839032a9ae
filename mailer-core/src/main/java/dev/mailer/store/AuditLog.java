package dev.mailer.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

/**
 * Who did what, when, from where. A person is named only by the hash of the normalized address,
 * so the log itself needs no erasing.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLog() {
    }

    public static void record(Connection connection, String actor, String action, String normalizedEmail,
                              Map<String, ?> detail) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "insert into audit_log (actor, action, subject_hash, detail) values (?, ?, ?, ?::jsonb)")) {
            statement.setString(1, actor);
            statement.setString(2, action);
            statement.setBytes(3, normalizedEmail == null ? null : hash(normalizedEmail));
            statement.setString(4, JSON.writeValueAsString(detail));
            statement.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The one-way hash kept for erased people; the same as PostgreSQL's sha256(convert_to(x, 'UTF8')). */
    public static byte[] hash(String normalizedEmail) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(normalizedEmail.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
