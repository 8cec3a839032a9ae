package dev.mailer.store;

import dev.mailer.store.FeedbackStore.ContactRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/** What double opt-in needs beyond {@link PeopleStore} (optin.sql), on a connection the caller manages. */
public final class OptInStore {
    private static final SqlQueries SQL = SqlQueries.load("optin.sql");

    private final Connection connection;

    public OptInStore(Connection connection) {
        this.connection = connection;
    }

    /**
     * The contact, locked until the transaction ends; empty when it no longer exists (erased).
     * Must run inside a transaction.
     */
    public Optional<ContactRef> lockContact(long contactId) throws SQLException {
        try (PreparedStatement statement = NamedSql.parse(SQL.get("lock-contact"))
                .prepare(connection, Map.of("contact_id", contactId));
             ResultSet rs = statement.executeQuery()) {
            return rs.next()
                    ? Optional.of(new ContactRef(rs.getLong("id"), rs.getString("email_norm"), rs.getString("locale")))
                    : Optional.empty();
        }
    }
}
