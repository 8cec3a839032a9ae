package dev.mailer.cli;

import dev.mailer.store.Database;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Apply pending schema migrations (every command also does this) and print the schema version.",
        footer = {"", "Example:", "  MAILER_DB_URL=jdbc:postgresql://db.internal:5432/mailer mailer db migrate"})
final class DbMigrateCommand implements Callable<Integer> {
    private final CliContext context;

    DbMigrateCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Database database = context.database();
        context.out().println("Schema version " + database.migrate() + " (" + database.describe() + ").");
        return 0;
    }
}
