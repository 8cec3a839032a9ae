package dev.mailer.cli;

import dev.mailer.suppression.Suppressions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List suppressed addresses with reason, origin and date; erased people appear by hash only.",
        footer = {"", "Example:", "  mailer suppress list --json"})
final class SuppressListCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    SuppressListCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<Map<String, Object>> rows = context.engine().suppressions().list();
        if (json) {
            context.printJson(rows);
            return 0;
        }
        if (rows.isEmpty()) {
            context.out().println("No suppressions.");
        }
        for (Map<String, Object> row : rows) {
            Object email = row.get("email_norm");
            context.out().printf("%-40s %-10s %s  %s%n",
                    email != null ? email : "(erased, sha256 " + row.get("hash").toString().substring(0, 12) + "…)",
                    row.get("reason"), row.get("created_at"), row.get("origin"));
        }
        return 0;
    }
}
