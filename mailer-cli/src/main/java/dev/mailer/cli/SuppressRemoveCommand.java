package dev.mailer.cli;

import dev.mailer.suppression.Suppressions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "remove", mixinStandardHelpOptions = true,
        description = {"Lift a suppression. This never revives an erased address or a withdrawn consent."},
        footer = {"", "Example:", "  mailer suppress remove jan@example.pl"})
final class SuppressRemoveCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--reason", defaultValue = "manual", paramLabel = "REASON",
            description = "Which suppression to lift: manual (default), bounced or complaint.")
    String reason;

    SuppressRemoveCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean removed = context.engine().suppressions().remove(email, reason, context.actor());
        context.out().printf(removed ? "Lifted the %2$s suppression of %1$s.%n" : "%s had no %s suppression.%n",
                email.strip(), reason);
        return 0;
    }
}
