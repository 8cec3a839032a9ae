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
 *
 * <p>The parser follows PostgreSQL's lexical rules far enough to leave alone what is not a
 * parameter: {@code 'string'} literals (with {@code ''} inside), {@code E'escape'} strings (with
 * {@code \'} and {@code ''}), {@code "quoted identifiers"} (with {@code ""}), {@code $$} and
 * {@code $tag$} dollar-quoted bodies, {@code --} and (nested) block comments, and
 * {@code ::} casts. Text that opens a literal, identifier or comment without closing it is refused.
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
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : 0;
            int end;
            if (c == '-' && next == '-') { // comment to the end of the line
                end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (c == '/' && next == '*') {
                end = blockCommentEnd(sql, i);
            } else if (c == '\'') {
                end = quotedEnd(sql, i, '\'', (i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                        && (i < 2 || !isIdentifierPart(sql.charAt(i - 2)))));
            } else if (c == '"') {
                end = quotedEnd(sql, i, '"', false);
            } else if (c == '$' && (i == 0 || !isIdentifierPart(sql.charAt(i - 1))) && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int close = sql.indexOf(tag, i + tag.length());
                if (close < 0) {
                    throw unterminated("dollar-quoted string " + tag, sql, i);
                }
                end = close + tag.length();
            } else if (c == ':' && next == ':') { // cast
                end = i + 2;
            } else if (c == ':' && isIdentifierStart(next)) {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                    j++;
                }
                names.add(sql.substring(i + 1, j));
                out.append('?');
                i = j;
                continue;
            } else {
                end = i + 1;
            }
            out.append(sql, i, end);
            i = end;
        }
        return new NamedSql(out.toString(), List.copyOf(names));
    }

    /** The statement as JDBC takes it, with {@code ?} for every parameter. */
    String jdbcSql() {
        return jdbcSql;
    }

    /** The parameter names in the order of their {@code ?}, one entry per occurrence. */
    List<String> parameterNames() {
        return order;
    }

    /** Index just after the quote that closes the literal or identifier opened at {@code start}. */
    private static int quotedEnd(String sql, int start, char quote, boolean backslashEscapes) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote && i + 1 < sql.length() && sql.charAt(i + 1) == quote) { // doubled quote
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        throw unterminated(quote == '"' ? "quoted identifier" : "string literal", sql, start);
    }

    /** Block comments nest in PostgreSQL: {@code /* a /* b *\/ c *\/} is one comment. */
    private static int blockCommentEnd(String sql, int start) {
        int depth = 0;
        int i = start;
        while (i + 1 < sql.length()) {
            if (sql.charAt(i) == '/' && sql.charAt(i + 1) == '*') {
                depth++;
                i += 2;
            } else if (sql.charAt(i) == '*' && sql.charAt(i + 1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw unterminated("block comment", sql, start);
    }

    /** {@code $$} or {@code $tag$} at {@code start}, or null ({@code $1} is not a tag). */
    private static String dollarTag(String sql, int start) {
        int j = start + 1;
        if (j < sql.length() && isIdentifierStart(sql.charAt(j))) {
            while (j < sql.length() && isIdentifierPart(sql.charAt(j)) && sql.charAt(j) != '$') {
                j++;
            }
        }
        return j < sql.length() && sql.charAt(j) == '$' ? sql.substring(start, j + 1) : null;
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static IllegalArgumentException unterminated(String what, String sql, int at) {
        int line = (int) sql.substring(0, at).chars().filter(ch -> ch == '\n').count() + 1;
        return new IllegalArgumentException("unterminated " + what + " at line " + line + " of: "
                + sql.lines().findFirst().orElse(""));
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
