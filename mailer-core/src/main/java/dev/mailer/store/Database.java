package dev.mailer.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.mailer.error.DatabaseUnreachable;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.error.SecretMask;
import dev.mailer.store.embedded.EmbeddedPostgres;
import dev.mailer.store.embedded.Users;
import dev.mailer.transaction.Transactions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The system of record: a pooled PostgreSQL, embedded or remote, with the schema migrated to the
 * version this build expects. Opening it applies pending migrations.
 */
public final class Database implements Transactions, AutoCloseable {
    /** Flyway's own table: the schema's history, never data. */
    public static final String SCHEMA_HISTORY_TABLE = "flyway_schema_history";
    /** The schema version of a database that has none yet. */
    public static final String NO_SCHEMA = "none";
    private static final int ANSWER_SECONDS = 2;
    /** Health checks run here, so that one stuck on a frozen server holds none of the caller's threads. */
    private static final Executor HEALTH_CHECKS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "database-health-check");
        t.setDaemon(true);
        return t;
    });
    private final DatabaseSettings settings;
    private final EmbeddedPostgres embedded;
    private final HikariDataSource pool;
    /** The check running now, or the last one: callers at the same moment share one. */
    private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<Boolean>> check =
            new java.util.concurrent.atomic.AtomicReference<>(CompletableFuture.completedFuture(false));
    /** The passwords this database is reached with: no message of the driver's is passed on with them. */
    private final SecretMask secrets;

    private Database(DatabaseSettings settings, EmbeddedPostgres embedded, HikariDataSource pool, SecretMask secrets) {
        this.settings = settings;
        this.embedded = embedded;
        this.pool = pool;
        this.secrets = secrets;
    }

    public static Database open(DatabaseSettings settings) {
        return open(settings, true);
    }

    /**
     * Opens the database without applying migrations: {@code db backup} reads the database as it
     * is, {@code db restore} chooses the schema version to load into ({@link #migrateTo}).
     */
    public static Database openAsIs(DatabaseSettings settings) {
        return open(settings, false);
    }

    private static Database open(DatabaseSettings settings, boolean migrate) {
        EmbeddedPostgres embedded = null;
        String url = settings.url();
        String user = settings.user();
        String password = settings.password();
        if (settings.isEmbedded()) {
            embedded = EmbeddedPostgres.start(settings.mailerHome(), settings.embedded());
            url = embedded.jdbcUrl();
            user = embedded.user();
            password = embedded.password();
        }
        SecretMask secrets = new SecretMask();
        secrets.addUrl(url);
        secrets.add(password);
        if (!settings.isEmbedded() && !url.startsWith("jdbc:postgresql://")) {
            throw MailerException.of(ErrorKind.CONFIG, "The database URL must start with jdbc:postgresql://, not '"
                    + DatabaseSettings.maskPassword(url) + "'.");
        }
        try {
            Database database = new Database(settings, embedded,
                    pool(url, user, password, settings.poolSize(), settings.timeouts(), secrets), secrets);
            try {
                if (migrate) {
                    database.migrate();
                }
                return database;
            } catch (RuntimeException e) {
                database.pool.close();
                throw e;
            }
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    private static HikariDataSource pool(String url, String user, String password, int size,
                                         DatabaseSettings.Timeouts timeouts, SecretMask secrets) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setPoolName("mailer-db");
        // a database that went away is noticed in seconds: a connection is waited for 5 s at most,
        // a connection attempt gives up after 5 s, and a statement whose server stopped answering
        // altogether (a network partition; a crashed server is noticed at once) after 60 s
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(10_000);
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("socketTimeout", Long.toString(timeouts.socket().toSeconds()));
        // connections idle in the pool are checked now and then, so a dead one is not the next handed out
        config.setKeepaliveTime(30_000);
        config.setValidationTimeout(2_000);
        config.addDataSourceProperty("tcpKeepAlive", "true");
        // batched INSERTs are rewritten into multi-row statements: the import and the delivery
        // writers depend on this for throughput
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        config.addDataSourceProperty("ApplicationName", "mailer");
        // the gate's SQL is full of "value is null or …" switches: a generic plan cannot see which
        // apply and falls back to scanning everything, so every execution is planned for its values
        config.addDataSourceProperty("options", "-c plan_cache_mode=force_custom_plan -c statement_timeout="
                + timeouts.statement().toMillis());
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            throw new MailerException(ErrorKind.DATABASE_UNREACHABLE, "Cannot connect to PostgreSQL at "
                    + DatabaseSettings.maskPassword(url) + ": " + secrets.scrub(rootMessage(e)) + ".", e);
        }
    }

    /** Applies pending migrations; returns the schema version now in force. */
    public String migrate() {
        return migrateTo(null);
    }

    /**
     * Applies pending migrations up to {@code target} (one this build has), or all of them when
     * null; returns the schema version now in force.
     */
    public String migrateTo(String target) {
        try {
            var configuration = Flyway.configure().dataSource(pool).locations("classpath:db/migration").loggers("slf4j");
            if (target != null) {
                configuration.target(target);
            }
            MigrateResult result = configuration.load().migrate();
            return result.targetSchemaVersion != null ? result.targetSchemaVersion : schemaVersion();
        } catch (FlywayException e) {
            throw new MailerException(ErrorKind.SCHEMA, "Migrating the database schema failed: "
                    + secrets.scrub(firstLine(e.getMessage())), e);
        }
    }

    private Flyway flyway() {
        return Flyway.configure().dataSource(pool).locations("classpath:db/migration").loggers("slf4j").load();
    }

    /** The schema version in force in the database (its latest applied migration), or {@value #NO_SCHEMA}. */
    public String schemaVersion() {
        var current = flyway().info().current();
        return current == null || current.getVersion() == null ? NO_SCHEMA : current.getVersion().getVersion();
    }

    /** The schema version this build brings: its highest migration, applied or not. */
    public String buildSchemaVersion() {
        return Arrays.stream(flyway().info().all())
                .filter(migration -> migration.getVersion() != null && migration.getState().isResolved())
                .map(migration -> migration.getVersion())
                .max(Comparable::compareTo)
                .map(MigrationVersion::getVersion)
                .orElse(NO_SCHEMA);
    }

    /** Orders schema versions as Flyway does ("6" before "10"); {@value #NO_SCHEMA} before every other. */
    public static int compareSchemaVersions(String a, String b) {
        if (NO_SCHEMA.equals(a) || NO_SCHEMA.equals(b)) {
            return Boolean.compare(!NO_SCHEMA.equals(a), !NO_SCHEMA.equals(b));
        }
        return MigrationVersion.fromVersion(a).compareTo(MigrationVersion.fromVersion(b));
    }

    /**
     * The other processes using the embedded server of this home, this database's own
     * registration left out (other users in this JVM count); none when the database is not the
     * embedded one.
     */
    public List<Users.User> otherEmbeddedUsers() {
        return embedded == null ? List.of() : embedded.otherUsers();
    }

    /** The embedded server's home; null when the database is not the embedded one. */
    public java.nio.file.Path embeddedHome() {
        return embedded == null ? null : embedded.home();
    }

    /**
     * Whether the database answers now, within {@value #ANSWER_SECONDS} s whatever state it is in
     * (a frozen server never answers a read: the check runs apart and is given up on), for
     * {@code GET /healthz}. One check at a time: callers while one runs wait for its answer (a
     * load of health probes costs one query), and while one hangs, the answer is no.
     */
    public boolean answers() {
        CompletableFuture<Boolean> current = check.get();
        if (current.isDone()) {
            CompletableFuture<Boolean> fresh = new CompletableFuture<>();
            if (check.compareAndSet(current, fresh)) {
                HEALTH_CHECKS.execute(() -> fresh.complete(selectOne()));
                current = fresh;
            } else {
                current = check.get();
            }
        }
        try {
            return current.get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean selectOne() {
        try (Connection connection = pool.getConnection(); var statement = connection.createStatement()) {
            statement.setQueryTimeout(ANSWER_SECONDS);
            statement.execute("select 1");
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    /**
     * For processes that run for long (serve): when the embedded server went away (it crashed, or
     * was killed), starts it again on its port, so that the pool's connections find it.
     *
     * @return whether it had to be started; false when it runs, or the database is not the embedded one
     */
    public boolean restartEmbeddedIfDown() {
        return embedded != null && embedded.ensureRunning();
    }

    public String describe() {
        return settings.describe();
    }

    /** The connection of the unit of work running on this thread, if any. */
    private final ThreadLocal<Connection> bound = new ThreadLocal<>();

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return inTransaction(connection -> work.get());
    }

    /**
     * Runs work in one transaction: committed when it returns, rolled back when it throws. Store
     * calls made by the work on this thread use the same connection; inside another unit it joins it.
     */
    public <T> T inTransaction(SqlWork<T> work) {
        Connection outer = bound.get();
        if (outer != null) {
            try {
                return work.run(outer);
            } catch (SQLException e) {
                throw error(e);
            }
        }
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            bound.set(connection);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                bound.remove();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw error(e);
        }
    }

    /**
     * Runs work as a unit of work on a connection the store manages itself (the delivery log's):
     * stage code called by the work joins it, and the caller commits or rolls back.
     */
    <T> T joined(Connection connection, SqlWork<T> work) throws SQLException {
        Connection outer = bound.get();
        bound.set(connection);
        try {
            return work.run(connection);
        } finally {
            if (outer == null) {
                bound.remove();
            } else {
                bound.set(outer);
            }
        }
    }

    /**
     * Runs work on the connection of the unit of work on this thread, or else on a pooled
     * connection in autocommit mode (read-only or single-statement work).
     */
    public <T> T withConnection(SqlWork<T> work) {
        Connection outer = bound.get();
        if (outer != null) {
            try {
                return work.run(outer);
            } catch (SQLException e) {
                throw error(e);
            }
        }
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw error(e);
        }
    }

    /** The failure as the person at the terminal should hear it: the database gone, or a statement's error. */
    MailerException error(SQLException e) {
        if (connectionLost(e)) {
            return new DatabaseUnreachable(settings.describe(), secrets.scrub(firstLine(rootMessage(e))), e);
        }
        return new MailerException(ErrorKind.INTERNAL, "Database error: " + secrets.scrub(firstLine(e.getMessage())) + ".",
                e);
    }

    /**
     * Whether the failure is the connection's, not the statement's: SQLSTATE class 08 (connection
     * exception), 57P01-57P03 (the server shutting down or starting), or no connection in time.
     */
    private static boolean connectionLost(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().matches("57P0[1-3]"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            embedded.close();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return firstLine(t.getMessage());
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "no details";
        }
        String line = text.strip().lines().findFirst().orElse("");
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }
}
