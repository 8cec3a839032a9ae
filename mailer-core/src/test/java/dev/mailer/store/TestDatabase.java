package dev.mailer.store;

import dev.mailer.engine.Engine;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A fresh, migrated {@link Database} on {@link TestPostgres#server()}, with plain-JDBC helpers for
 * tests that check what was stored: {@code try (TestDatabase db = TestDatabase.fresh()) { ... }},
 * or opened in {@code @BeforeAll}/{@code @BeforeEach} and closed in the matching after-method.
 *
 * <p>Query parameters are bound with {@link PreparedStatement#setObject}. Database errors reach
 * the caller as {@link Database#withConnection} throws them, except from {@link #execute}, which
 * lets PostgreSQL's own {@link SQLException} through.
 */
public final class TestDatabase implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private Engine engine;

    private TestDatabase(Database database) {
        this.database = database;
    }

    /** Creates an empty database on the shared test server and opens (and migrates) it. */
    public static TestDatabase fresh() {
        return new TestDatabase(Database.open(DatabaseSettings.server(TestPostgres.freshDatabase(),
                TestPostgres.server().user(), TestPostgres.server().password())));
    }

    /** Opens (and migrates) the database at {@code jdbcUrl}: one of a test's own server. */
    public static TestDatabase at(String jdbcUrl, String user, String password) {
        return new TestDatabase(Database.open(DatabaseSettings.server(jdbcUrl, user, password)));
    }

    /** The same, with the timeouts of {@code timeouts} (serve's, say). */
    public static TestDatabase at(String jdbcUrl, String user, String password, DatabaseSettings.Timeouts timeouts) {
        return new TestDatabase(Database.open(DatabaseSettings.server(jdbcUrl, user, password).withTimeouts(timeouts)));
    }

    public Database database() {
        return database;
    }

    /** The stages wired to this database. */
    public Engine engine() {
        if (engine == null) {
            engine = new Engine(database);
        }
        return engine;
    }

    /** The store's implementations of the stages' interfaces, over this database. */
    public Stores stores() {
        return engine().stores();
    }

    @Override
    public void close() {
        database.close();
    }

    /**
     * Hex of SHA-256 over the UTF-8 text, computed here independently of the database's
     * email_hash(), so tests check what it stores.
     */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows as lists of the columns' text forms ({@link ResultSet#getString}; SQL null as null). */
    public List<List<String>> rows(String sql, Object... params) {
        return database.withConnection(connection -> query(connection, sql, params, (rs, meta) -> {
            List<String> row = new ArrayList<>();
            for (int c = 1; c <= meta.getColumnCount(); c++) {
                row.add(rs.getString(c));
            }
            return row;
        }));
    }

    /**
     * Rows as maps of column label to value, in column order: timestamptz as Instant, date as
     * LocalDate, text[] as List, jsonb as Map, int4 and int8 as Long, anything else as the driver
     * gives it.
     */
    public List<Map<String, Object>> maps(String sql, Object... params) {
        return database.withConnection(connection -> query(connection, sql, params, (rs, meta) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 1; c <= meta.getColumnCount(); c++) {
                row.put(meta.getColumnLabel(c), value(rs, c, meta.getColumnTypeName(c)));
            }
            return row;
        }));
    }

    /** The first column of the first row as a number, e.g. of {@code select count(*) ...}. */
    public long count(String sql, Object... params) {
        return database.withConnection(connection -> query(connection, sql, params, (rs, meta) -> rs.getLong(1)))
                .get(0);
    }

    /** Runs an insert, update or delete; returns the rows it changed. */
    public int update(String sql, Object... params) {
        return database.withConnection(connection -> executeUpdate(connection, sql, params));
    }

    /** As {@link #update}, but a database error is thrown as the driver's own SQLException. */
    public int execute(String sql, Object... params) throws SQLException {
        try (Connection connection = database.dataSource().getConnection()) {
            return executeUpdate(connection, sql, params);
        }
    }

    /** The tables of the current schema, by name. */
    public List<String> tables() {
        return database.withConnection(connection -> {
            List<String> tables = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(
                         "select tablename from pg_tables where schemaname = current_schema() order by 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            return tables;
        });
    }

    /** Row count and content hash of every table in the schema, by table name. */
    public Map<String, String> fingerprints() {
        Map<String, String> fingerprints = new LinkedHashMap<>();
        for (String table : tables()) {
            fingerprints.put(table, rows("select count(*) || ':' || coalesce(md5(string_agg(t::text, "
                    + "'|' order by t::text)), '') from \"" + table + "\" t").get(0).get(0));
        }
        return fingerprints;
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs, ResultSetMetaData meta) throws SQLException;
    }

    private static <T> List<T> query(Connection connection, String sql, Object[] params, RowReader<T> reader)
            throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, params);
             ResultSet rs = statement.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(reader.read(rs, meta));
            }
            return rows;
        }
    }

    private static int executeUpdate(Connection connection, String sql, Object[] params) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, params)) {
            return statement.executeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object[] params)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    private static Object value(ResultSet rs, int column, String type) throws SQLException {
        if (rs.getObject(column) == null) {
            return null;
        }
        switch (type) {
            case "timestamptz":
                return rs.getObject(column, OffsetDateTime.class).toInstant();
            case "date":
                return rs.getObject(column, LocalDate.class);
            case "_text":
                Array array = rs.getArray(column);
                return Arrays.stream((Object[]) array.getArray()).map(String.class::cast).collect(Collectors.toList());
            case "jsonb":
                try {
                    return JSON.readValue(rs.getString(column), new TypeReference<LinkedHashMap<String, Object>>() { });
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            case "int4":
            case "int8":
                return rs.getLong(column);
            default:
                return rs.getObject(column);
        }
    }
}
