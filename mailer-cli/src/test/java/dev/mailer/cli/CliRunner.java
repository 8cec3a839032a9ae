package dev.mailer.cli;

import dev.mailer.store.TestPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process against a fresh test database, capturing output and exit code. */
final class CliRunner {
    record Result(int exitCode, String out, String err) {
    }

    private final String dbUrl;
    private final Map<String, String> env = new HashMap<>();

    CliRunner() {
        this(TestPostgres.freshDatabase(), TestPostgres.server().user(), TestPostgres.server().password());
    }

    /** Against another server's database (one a test may crash: {@code CrashablePostgres}). */
    CliRunner(String dbUrl, String user, String password) {
        this.dbUrl = dbUrl;
        env.put("MAILER_DB_USER", user);
        env.put("MAILER_DB_PASSWORD", password);
    }

    String dbUrl() {
        return dbUrl;
    }

    Map<String, String> env() {
        return env;
    }

    /** Runs with --db pointing at this runner's database. */
    Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--db");
        all.add(dbUrl);
        return runRaw(all.toArray(String[]::new));
    }

    /** Runs exactly these arguments (no --db added). */
    Result runRaw(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env,
                new ByteArrayInputStream(new byte[0]), false);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
