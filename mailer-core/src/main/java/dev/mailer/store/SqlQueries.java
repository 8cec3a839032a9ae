package dev.mailer.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named SQL statements kept in one readable resource file per subject ({@code -- name: x} blocks,
 * as listmonk does). Loaded and parsed once, when the store class that uses them loads: a missing
 * name or a statement {@link NamedSql} cannot parse fails at start-up, not in the middle of a run.
 * Every statement is complete as written; nothing is pieced together at run time.
 */
final class SqlQueries {
    private final String resource;
    private final Map<String, String> byName;
    private final Map<String, NamedSql> parsed;

    private SqlQueries(String resource, Map<String, String> byName) {
        this.resource = resource;
        this.byName = byName;
        Map<String, NamedSql> parsed = new LinkedHashMap<>();
        byName.forEach((name, sql) -> {
            try {
                parsed.put(name, NamedSql.parse(sql));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("query '" + name + "' in " + resource + ": " + e.getMessage(), e);
            }
        });
        this.parsed = Collections.unmodifiableMap(parsed);
    }

    static SqlQueries load(String resource) {
        try (InputStream in = SqlQueries.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("SQL resource missing: " + resource);
            }
            return new SqlQueries(resource, parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String get(String name) {
        String sql = byName.get(name);
        if (sql == null) {
            throw new IllegalStateException("no query '" + name + "' in " + resource);
        }
        return sql;
    }

    /** The named statement, parsed once at load. */
    NamedSql named(String name) {
        NamedSql sql = parsed.get(name);
        if (sql == null) {
            throw new IllegalStateException("no query '" + name + "' in " + resource);
        }
        return sql;
    }

    /** Every statement of the file, by name, in file order (for the test that prepares them all). */
    Map<String, NamedSql> all() {
        return parsed;
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> queries = new LinkedHashMap<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("-- name:")) {
                if (name != null) {
                    queries.put(name, withoutTrailingComments(body));
                }
                name = line.substring("-- name:".length()).strip();
                body.setLength(0);
            } else if (name != null) {
                body.append(line).append('\n');
            }
        }
        if (name != null) {
            queries.put(name, withoutTrailingComments(body));
        }
        return queries;
    }

    /** Comment lines just before a "-- name:" describe the next query, not this one. */
    private static String withoutTrailingComments(StringBuilder body) {
        List<String> lines = new ArrayList<>(List.of(body.toString().split("\n", -1)));
        while (!lines.isEmpty() && (lines.get(lines.size() - 1).isBlank()
                || lines.get(lines.size() - 1).strip().startsWith("--"))) {
            lines.remove(lines.size() - 1);
        }
        return String.join("\n", lines).strip();
    }
}
