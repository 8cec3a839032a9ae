package dev.mailer.store;

import dev.mailer.store.embedded.EmbeddedPostgres;
import java.nio.file.Path;

/**
 * Where the system of record lives. With no {@code url} an embedded PostgreSQL under
 * {@code mailerHome} is started; otherwise that server is used through a connection pool.
 *
 * @param url      a {@code jdbc:postgresql://} URL, or null for the embedded server
 * @param user     login for {@code url} (may also be given inside the URL)
 * @param password password for {@code url}; never printed
 * @param poolSize the largest number of pooled connections
 * @param timeouts how long a statement may run and a read wait before the database counts as hung
 */
public record DatabaseSettings(String url, String user, String password, Path mailerHome, int poolSize,
                               EmbeddedPostgres.Options embedded, Timeouts timeouts) {
    public static final int DEFAULT_POOL_SIZE = 8;

    /**
     * @param statement a statement running longer is cancelled by the server
     * @param socket    a read waiting longer (a frozen server, a partition) fails on the client
     */
    public record Timeouts(java.time.Duration statement, java.time.Duration socket) {
        /** For batch work (imports, enqueueing a million recipients): generous. */
        public static final Timeouts BATCH = new Timeouts(java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(6));
        /** For serve: a request must not wait long on a hung database; it answers 503 instead. */
        public static final Timeouts REQUESTS = new Timeouts(java.time.Duration.ofSeconds(8), java.time.Duration.ofSeconds(10));
    }

    public DatabaseSettings(String url, String user, String password, Path mailerHome, int poolSize,
                            EmbeddedPostgres.Options embedded) {
        this(url, user, password, mailerHome, poolSize, embedded, Timeouts.BATCH);
    }

    /** The same settings with other timeouts. */
    public DatabaseSettings withTimeouts(Timeouts timeouts) {
        return new DatabaseSettings(url, user, password, mailerHome, poolSize, embedded, timeouts);
    }

    /**
     * @param serverUserWhenRoot the OS user the embedded server runs as when mailer runs as root;
     *                           null for the default ({@code nobody})
     */
    public static DatabaseSettings embedded(Path mailerHome, String serverUserWhenRoot) {
        return new DatabaseSettings(null, null, null, mailerHome, DEFAULT_POOL_SIZE,
                new EmbeddedPostgres.Options(serverUserWhenRoot, null));
    }

    public static DatabaseSettings server(String url, String user, String password) {
        return new DatabaseSettings(url, user, password, null, DEFAULT_POOL_SIZE, EmbeddedPostgres.Options.defaults());
    }

    /** The same settings for a process that {@code mailer db status} names {@code command}. */
    public DatabaseSettings forCommand(String command) {
        return new DatabaseSettings(url, user, password, mailerHome, poolSize, embedded.withCommand(command), timeouts);
    }

    public boolean isEmbedded() {
        return url == null || url.isBlank();
    }

    /** The URL with any password in it masked, for messages. */
    public String describe() {
        if (isEmbedded()) {
            return "the embedded PostgreSQL in " + mailerHome.resolve("postgres");
        }
        return maskPassword(url);
    }

    static String maskPassword(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("(//[^/:@]*:)[^@/]*@", "$1***@");
    }
}
