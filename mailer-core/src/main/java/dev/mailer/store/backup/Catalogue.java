package dev.mailer.store.backup;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * mailer's data as PostgreSQL's catalogue describes it, never a list kept by hand: every ordinary
 * table of the current schema but Flyway's history, in an order that loads parents before the
 * tables whose foreign keys point at them, each with its copyable columns (generated ones left
 * out) and the sequences behind its identity or serial columns; and every sequence of the
 * schema. Names reach SQL only quoted as identifiers. (The schema has no partitioned tables; a
 * partitioned table would show here as its partitions.)
 */
final class Catalogue {
    /** One table: its name, the columns COPY moves, and column → sequence for identities and serials. */
    record Table(String name, List<String> columns, Map<String, String> sequences) {
    }

    private final String schema;
    private final List<Table> tables;
    private final List<String> sequences;

    private Catalogue(String schema, List<Table> tables, List<String> sequences) {
        this.schema = schema;
        this.tables = tables;
        this.sequences = sequences;
    }

    static Catalogue read(Connection connection) throws SQLException {
        String schema;
        try (PreparedStatement statement = connection.prepareStatement("select current_schema()");
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            schema = rs.getString(1);
        }
        Set<String> names = new TreeSet<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                select c.relname
                  from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = current_schema() and c.relkind = 'r' and not c.relispartition
                   and c.relname <> ?""")) {
            statement.setString(1, Database.SCHEMA_HISTORY_TABLE);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        Map<String, Set<String>> parents = new TreeMap<>();
        names.forEach(name -> parents.put(name, new TreeSet<>()));
        try (PreparedStatement statement = connection.prepareStatement("""
                select child.relname, parent.relname
                  from pg_constraint k
                  join pg_class child on child.oid = k.conrelid
                  join pg_class parent on parent.oid = k.confrelid
                  join pg_namespace n on n.oid = child.relnamespace
                 where k.contype = 'f' and n.nspname = current_schema() and k.conrelid <> k.confrelid""");
             ResultSet rs = statement.executeQuery()) {
            // a table referring to itself needs no order: COPY checks its rows' keys at the statement's end
            while (rs.next()) {
                if (parents.containsKey(rs.getString(1)) && parents.containsKey(rs.getString(2))) {
                    parents.get(rs.getString(1)).add(rs.getString(2));
                }
            }
        }
        List<Table> ordered = new ArrayList<>();
        for (String name : loadOrder(parents)) {
            ordered.add(new Table(name, columns(connection, name), ownedSequences(connection, schema, name)));
        }
        List<String> sequences = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                select c.relname
                  from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = current_schema() and c.relkind = 'S'
                 order by c.relname""");
             ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                sequences.add(rs.getString(1));
            }
        }
        return new Catalogue(schema, List.copyOf(ordered), List.copyOf(sequences));
    }

    /** Parents first (Kahn's algorithm, ties by name); a cycle of foreign keys cannot be loaded by COPY. */
    private static List<String> loadOrder(Map<String, Set<String>> parents) {
        List<String> order = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (placed.size() < parents.size()) {
            boolean progress = false;
            for (var entry : parents.entrySet()) {
                if (!placed.contains(entry.getKey()) && placed.containsAll(entry.getValue())) {
                    placed.add(entry.getKey());
                    order.add(entry.getKey());
                    progress = true;
                }
            }
            if (!progress) {
                Set<String> left = new TreeSet<>(parents.keySet());
                left.removeAll(placed);
                throw new MailerException(ErrorKind.INTERNAL, "The foreign keys of tables " + left
                        + " form a cycle, which a table-by-table backup cannot load.");
            }
        }
        return order;
    }

    private static List<String> columns(Connection connection, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                select a.attname
                  from pg_attribute a
                  join pg_class c on c.oid = a.attrelid
                  join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = current_schema() and c.relname = ?
                   and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                 order by a.attnum""")) {
            statement.setString(1, table);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        return List.copyOf(columns);
    }

    /** Column → the sequence (as {@code pg_get_serial_sequence} names it, schema-qualified) behind it. */
    private static Map<String, String> ownedSequences(Connection connection, String schema, String table)
            throws SQLException {
        Map<String, String> sequences = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                select a.attname, pg_get_serial_sequence(quote_ident(?) || '.' || quote_ident(?), a.attname)
                  from pg_attribute a
                  join pg_class c on c.oid = a.attrelid
                  join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = current_schema() and c.relname = ?
                   and a.attnum > 0 and not a.attisdropped
                 order by a.attnum""")) {
            statement.setString(1, schema);
            statement.setString(2, table);
            statement.setString(3, table);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(2) != null) {
                        sequences.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
        }
        return sequences;
    }

    List<Table> tables() {
        return tables;
    }

    List<String> names() {
        return tables.stream().map(Table::name).toList();
    }

    Table table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    /** The schema's sequences, by name. */
    List<String> sequences() {
        return sequences;
    }

    /** A table or sequence of the schema as SQL: schema and name, each quoted as an identifier. */
    String qualified(String name) {
        return identifier(schema) + "." + identifier(name);
    }

    String qualified(Table table) {
        return qualified(table.name());
    }

    static String identifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static String columnList(List<String> columns) {
        return String.join(", ", columns.stream().map(Catalogue::identifier).toList());
    }
}
