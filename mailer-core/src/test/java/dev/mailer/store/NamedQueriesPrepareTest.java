package dev.mailer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every named query of every {@code dev/mailer/store/*.sql} resource, parsed as {@link SqlQueries}
 * parses it and prepared by PostgreSQL against the migrated schema: a misspelt column, a missing
 * function (the consent gate) or a parameter PostgreSQL cannot type fails the build, not the first
 * run that happens to use the query.
 *
 * <p>The queries of a file are prepared in file order inside one transaction that is rolled back.
 * The statements that create objects (import.sql's temporary staging tables and their indexes)
 * are also executed, since the statements after them refer to those objects.
 */
class NamedQueriesPrepareTest {
    private static TestDatabase db;

    @BeforeAll
    static void open() {
        db = TestDatabase.fresh();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void everyNamedQueryOfEveryFilePrepares() throws Exception {
        List<String> files = sqlResources();
        assertThat(files).contains("gate.sql", "delivery.sql", "import.sql", "people.sql", "campaign.sql",
                "feedback.sql");

        List<String> failures = new ArrayList<>();
        int prepared = 0;
        for (String file : files) {
            Map<String, NamedSql> queries = SqlQueries.load(file).all();
            assertThat(queries).as(file).isNotEmpty();
            try (Connection connection = db.database().dataSource().getConnection()) {
                connection.setAutoCommit(false);
                try {
                    for (Map.Entry<String, NamedSql> query : queries.entrySet()) {
                        String failure = prepare(connection, query.getValue());
                        if (failure != null) {
                            failures.add(file + " " + query.getKey() + ": " + failure);
                        }
                        prepared++;
                    }
                } finally {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(prepared).isGreaterThan(60);
    }

    @Test
    void aBrokenQueryIsCaught() throws SQLException {
        try (Connection connection = db.database().dataSource().getConnection()) {
            assertThat(prepare(connection, NamedSql.parse("select emial from contact where id = :id")))
                    .contains("emial");
            assertThat(prepare(connection, NamedSql.parse("select * from consent_gate(p_purpose => :p::text)")))
                    .contains("consent_gate");
        }
    }

    /** Null when PostgreSQL prepared it, with one parameter per {@code :name}; else what went wrong. */
    private static String prepare(Connection connection, NamedSql query) throws SQLException {
        Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
        try (PreparedStatement statement = connection.prepareStatement(query.jdbcSql())) {
            // the driver sends Parse and Describe: PostgreSQL analyses the statement and types every parameter
            ParameterMetaData parameters = statement.getParameterMetaData();
            if (parameters.getParameterCount() != query.parameterNames().size()) {
                return parameters.getParameterCount() + " parameters, expected " + query.parameterNames();
            }
            if (createsSomething(query)) {
                try (Statement create = connection.createStatement()) {
                    create.execute(query.jdbcSql());
                }
            }
            return null;
        } catch (SQLException e) {
            if (savepoint != null) {
                connection.rollback(savepoint);
            }
            return e.getMessage();
        }
    }

    private static boolean createsSomething(NamedSql query) {
        return query.parameterNames().isEmpty()
                && query.jdbcSql().strip().toLowerCase(Locale.ROOT).startsWith("create ");
    }

    /** The names of the .sql resources beside SqlQueries (target/classes/dev/mailer/store). */
    private static List<String> sqlResources() throws IOException, URISyntaxException {
        URL gate = SqlQueries.class.getResource("gate.sql");
        assertThat(gate).isNotNull();
        assertThat(gate.getProtocol()).as("the store's SQL as files, not in a jar").isEqualTo("file");
        try (Stream<Path> paths = Files.list(Path.of(gate.toURI()).getParent())) {
            return paths.map(p -> p.getFileName().toString()).filter(name -> name.endsWith(".sql")).sorted().toList();
        }
    }
}
