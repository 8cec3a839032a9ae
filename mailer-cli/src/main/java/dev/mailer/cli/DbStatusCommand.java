package dev.mailer.cli;

import dev.mailer.store.DatabaseSettings;
import dev.mailer.store.embedded.EmbeddedPostgres;
import dev.mailer.store.embedded.Users;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Where the database runs: for the embedded PostgreSQL its address, version, data directory"
                + " and the mailer processes using it (it is started by the first and stopped by the last);"
                + " otherwise the server mailer is configured to use. Starts nothing.",
        footer = {"", "Examples:", "  mailer db status", "  mailer db status --json"})
final class DbStatusCommand implements Callable<Integer> {
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final CliContext context;

    @Option(names = "--json", description = "Print one JSON object: embedded, running, host, port, version,"
            + " dataDirectory, users [{pid, command, since}] (or embedded: false and url).")
    boolean json;

    DbStatusCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        DatabaseSettings settings = context.databaseSettings();
        Map<String, Object> status = new LinkedHashMap<>();
        if (!settings.isEmbedded()) {
            status.put("embedded", false);
            status.put("url", settings.describe());
            if (json) {
                context.printJson(status);
            } else {
                context.out().println("mailer uses the PostgreSQL server at " + settings.describe()
                        + " (MAILER_DB_URL, --db or 'db' in mailer.yaml); the embedded one is not used.");
            }
            return 0;
        }
        EmbeddedPostgres.Status embedded = EmbeddedPostgres.status(settings.mailerHome(), settings.embedded());
        status.put("embedded", true);
        status.put("running", embedded.running());
        status.put("host", embedded.running() ? "127.0.0.1" : null);
        status.put("port", embedded.running() ? embedded.port() : null);
        status.put("version", embedded.version());
        status.put("dataDirectory", embedded.dataDirectory().toString());
        status.put("users", embedded.users().stream().map(DbStatusCommand::user).toList());
        if (json) {
            context.printJson(status);
            return 0;
        }
        var out = context.out();
        out.printf("Embedded PostgreSQL %s, data in %s%n", embedded.version(), embedded.dataDirectory());
        if (!embedded.running()) {
            out.println("  not running: the next mailer command that needs the database starts it");
            return 0;
        }
        out.printf("  running on 127.0.0.1:%d (user %s, password in %s)%n", embedded.port(), "mailer",
                embedded.home().resolve("postgres/password"));
        List<Users.User> users = embedded.users();
        if (users.isEmpty()) {
            out.println("  used by no mailer process now (left running by one that was killed; the next one"
                    + " uses it, the last to end stops it)");
        }
        for (Users.User user : users) {
            out.printf("  used by %s (pid %d)%s%n", user.command(), user.pid(), user.since() == null ? ""
                    : ", since " + SINCE.format(user.since().atZone(ZoneId.systemDefault())));
        }
        return 0;
    }

    private static Map<String, Object> user(Users.User user) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("pid", user.pid());
        map.put("command", user.command());
        map.put("since", user.since() == null ? null : user.since().toString());
        return map;
    }
}
