package dev.mailer.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * SQL with {@code :name} parameters, turned into a JDBC statement with bind parameters.
 * Queries such as the consent gate use one value in several places; names keep them readable.
 * Values are only ever bound, never spliced into the text.
 */
final class NamedSql {
    private final String jdbcSql;
    private final List<String> order;

    private NamedSql(String jdbcSql, List<String> order) {
        this.jdbcSql = jdbcSql;
        this.order = order;
    }

    static NamedSql parse(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        List<String> names = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') { // comment: to end of line
                int end = sql.indexOf('\n', i);
                end = end < 0 ? sql.length() : end;
                out.append(sql, i, end);
                i = end;
            } else if (c == '\'') { // string literal: copy verbatim
                int end = sql.indexOf('\'', i + 1);
                end = end < 0 ? sql.length() - 1 : end;
                out.append(sql, i, end + 1);
                i = end + 1;
            } else if (c == ':' && i + 1 < sql.length() && sql.charAt(i + 1) == ':') { // cast
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < sql.length() && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
                int j = i + 1;
                while (j < sql.length() && (Character.isJavaIdentifierPart(sql.charAt(j)))) {
                    j++;
                }
                names.add(sql.substring(i + 1, j));
                out.append('?');
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return new NamedSql(out.toString(), List.copyOf(names));
    }

    PreparedStatement prepare(Connection connection, Map<String, ?> params) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(jdbcSql);
        try {
            for (int i = 0; i < order.size(); i++) {
                String name = order.get(i);
                if (!params.containsKey(name)) {
                    throw new IllegalArgumentException("no value for :" + name);
                }
                bind(connection, statement, i + 1, params.get(name));
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    private static void bind(Connection connection, PreparedStatement statement, int index, Object value)
            throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.OTHER);
        } else if (value instanceof Collection<?> values) {
            Array array = connection.createArrayOf("text",
                    values.stream().map(v -> v == null ? null : String.valueOf(v)).toArray());
            statement.setArray(index, array);
        } else if (value instanceof Instant instant) {
            statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        } else if (value instanceof LocalDate || value instanceof OffsetDateTime) {
            statement.setObject(index, value);
        } else if (value instanceof Timestamp timestamp) {
            statement.setTimestamp(index, timestamp);
        } else {
            statement.setObject(index, value);
        }
    }
}
