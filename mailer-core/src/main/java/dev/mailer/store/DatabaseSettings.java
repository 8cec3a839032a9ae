package dev.mailer.store;

import dev.mailer.error.SecretMask;
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

    /**
     * A PostgreSQL server. A user and password written in the URL itself
     * ({@code jdbc:postgresql://user:password@host/db}, percent-encoded where needed; the driver does
     * not read that form) are taken out of it and win over {@code user} and {@code password}.
     */
    public static DatabaseSettings server(String url, String user, String password) {
        String plain = url;
        String urlUser = null;
        String urlPassword = null;
        int slashes = url == null ? -1 : url.indexOf("//");
        if (slashes >= 0) {
            String rest = url.substring(slashes + 2);
            int at = rest.lastIndexOf('@');
            if (at > 0) {
                String userInfo = rest.substring(0, at);
                int colon = userInfo.indexOf(':');
                String name = colon < 0 ? userInfo : userInfo.substring(0, colon);
                if (!name.isEmpty() && name.chars().noneMatch(c -> c == '/' || c == '?' || c == '#' || c == '&')) {
                    urlUser = SecretMask.percentDecode(name);
                    urlPassword = colon < 0 ? null : SecretMask.percentDecode(userInfo.substring(colon + 1));
                    plain = url.substring(0, slashes + 2) + rest.substring(at + 1);
                }
            }
        }
        return new DatabaseSettings(plain, urlUser != null ? urlUser : user,
                urlPassword != null ? urlPassword : password, null, DEFAULT_POOL_SIZE,
                EmbeddedPostgres.Options.defaults());
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

    /** Never the password: a record's own toString would print it into a log. */
    @Override
    public String toString() {
        return "DatabaseSettings[" + describe() + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + ", poolSize=" + poolSize + ", timeouts=" + timeouts + "]";
    }

    static String maskPassword(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("(//[^/:@]*:)[^@/]*@", "$1***@");
    }
}
