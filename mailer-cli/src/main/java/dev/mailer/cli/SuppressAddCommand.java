package dev.mailer.cli;

import dev.mailer.suppression.Suppressions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "add", mixinStandardHelpOptions = true,
        description = "Block an address (reason code suppressed_manual unless --reason says otherwise).",
        footer = {"", "Example:", "  mailer suppress add jan@example.pl --detail 'asked by phone, ticket 1234'"})
final class SuppressAddCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--reason", defaultValue = "manual", paramLabel = "REASON",
            description = "manual (default), bounced or complaint.")
    String reason;

    @Option(names = "--detail", paramLabel = "TEXT", description = "Why, for the record.")
    String detail;

    SuppressAddCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean added = context.engine().suppressions().add(email, reason, detail, context.actor());
        context.out().printf(added ? "Suppressed %s (%s).%n" : "%s was already suppressed (%s).%n", email.strip(), reason);
        return 0;
    }
}
