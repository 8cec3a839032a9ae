package dev.mailer.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.ContactCsvReader;
import dev.mailer.contacts.ImportStore;
import dev.mailer.contacts.ImportStore.Counts;
import dev.mailer.contacts.ImportRow;
import dev.mailer.contacts.Reject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.postgresql.copy.CopyIn;

/**
 * Writes one contacts import inside the caller's transaction: rows are streamed with COPY into a
 * temporary table as they are read, then merged into contacts and the consent history with a
 * handful of set-based statements. COPY and set-based SQL are what make a million rows a minute
 * possible; the caller's transaction is what makes the import all-or-nothing.
 */
final class ContactImportWriter implements ImportStore.Batch {
    private static final Logger LOG = LoggerFactory.getLogger(ContactImportWriter.class);
    private static final SqlQueries SQL = SqlQueries.load("import.sql");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FLUSH_BYTES = 1 << 18;
    private static final char TAG_SEPARATOR = 31;

    private final Database database;
    private final Connection connection;
    private final CopyIn copy;
    private final StringBuilder buffer = new StringBuilder(FLUSH_BYTES + 4096);
    private long copied;

    ContactImportWriter(Database database, Connection connection) throws SQLException {
        this.database = database;
        this.connection = connection;
        try (Statement statement = connection.createStatement()) {
            statement.execute(SQL.get("create-staging"));
        }
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(SQL.get("copy-staging"));
    }

    @Override
    public void add(ImportRow row) {
        ConsentStatement consent = row.consent();
        field(Long.toString(row.line()));
        field(row.email().address());
        field(row.email().normalized());
        field(row.name());
        field(row.locale());
        field(row.tags() == null ? null : String.join(String.valueOf(TAG_SEPARATOR), row.tags()));
        field(row.birthDate() == null ? null : row.birthDate().toString());
        field(row.attributes().isEmpty() ? null : json(row.attributes()));
        field(consent == null ? null : consent.purpose());
        field(consent == null ? null : consent.status());
        field(consent == null || consent.consentAt() == null ? null
                : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(consent.consentAt()));
        field(consent == null ? null : consent.source());
        field(consent == null ? null : consent.ip());
        field(consent == null ? null : consent.consentText());
        field(consent == null || consent.confirmedAt() == null ? null
                : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(consent.confirmedAt()));
        field(consent == null ? null : consent.lawfulBasis());
        field(consent == null ? null : Boolean.toString(consent.parentalConsent()));
        buffer.setCharAt(buffer.length() - 1, '\n');
        if (buffer.length() >= FLUSH_BYTES) {
            try {
                flush();
            } catch (SQLException e) {
                throw database.error(e);
            }
        }
    }

    /**
     * Ends the COPY and merges the staged rows. Rows of erased people are taken out first and
     * returned to the caller as rejects.
     *
     * @param origin where the consent records came from, e.g. {@code import contacts.csv}
     */
    @Override
    public Counts merge(ContactCsvReader.Header header, String origin, List<Reject> erasedOut) {
        try {
            return mergeStaged(header, origin, erasedOut);
        } catch (SQLException e) {
            throw database.error(e);
        }
    }

    private Counts mergeStaged(ContactCsvReader.Header header, String origin, List<Reject> erasedOut)
            throws SQLException {
        flush();
        copied = copy.endCopy();
        LOG.debug("import staged {} rows", copied);
        execute("index-staging", Map.of());
        execute("analyze-staging", Map.of());
        List<Reject> erased = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(SQL.get("take-erased"))) {
            while (rs.next()) {
                erased.add(new Reject(rs.getLong(1), rs.getString(2), "erased"));
            }
        }
        erased.sort((a, b) -> Long.compare(a.line(), b.line()));
        erasedOut.addAll(erased);
        Map<String, Object> fields = Map.of(
                "has_name", header.hasName(), "has_locale", header.hasLocale(),
                "has_tags", header.hasTags(), "has_birth_date", header.hasBirthDate());
        execute("stage-contacts", Map.of());
        execute("index-contacts", Map.of());
        execute("create-match", Map.of());
        execute("match-existing", fields);
        execute("insert-new-contacts", Map.of());
        execute("match-concurrent", Map.of());
        execute("analyze-match", Map.of());
        execute("update-changed-contacts", fields);
        execute("stage-consents", Map.of());
        execute("insert-consents", Map.of("origin", origin));
        if (copied > 1000) {
            execute("analyze-contacts", Map.of());
            execute("analyze-consents", Map.of());
        }
        try (PreparedStatement statement = SQL.named("count-rows").prepare(connection, Map.of());
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            long imported = rs.getLong("imported");
            long updated = rs.getLong("updated");
            return new Counts(imported, updated, rs.getLong("total") - imported - updated);
        }
    }

    @Override
    public void cancel() {
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the transaction is being rolled back anyway
        }
    }

    private void execute(String name, Map<String, ?> params) throws SQLException {
        long started = System.nanoTime();
        try (PreparedStatement statement = SQL.named(name).prepare(connection, params)) {
            statement.execute();
        }
        LOG.debug("import step {} took {} ms", name, (System.nanoTime() - started) / 1_000_000);
    }

    private void field(String value) {
        if (value == null) {
            buffer.append("\\N");
        } else {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\\' -> buffer.append("\\\\");
                    case '\t' -> buffer.append("\\t");
                    case '\n' -> buffer.append("\\n");
                    case '\r' -> buffer.append("\\r");
                    case '\0' -> { } // PostgreSQL text cannot hold NUL
                    default -> buffer.append(c);
                }
            }
        }
        buffer.append('\t');
    }

    private void flush() throws SQLException {
        if (buffer.length() > 0) {
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            buffer.setLength(0);
        }
    }

    private static String json(Map<String, String> attributes) {
        try {
            return JSON.writeValueAsString(attributes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
