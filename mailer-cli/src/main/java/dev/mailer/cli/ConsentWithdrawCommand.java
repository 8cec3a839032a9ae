package dev.mailer.cli;

import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ConsentStatement;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "withdraw", mixinStandardHelpOptions = true,
        description = "Record that a person withdrew consent for one purpose, or for everything (--all).",
        footer = {"", "Examples:", "  mailer consent withdraw anna@example.pl --purpose newsletter",
                "  mailer consent withdraw anna@example.pl --all --source 'phone call'"})
final class ConsentWithdrawCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    static final class Scope {
        @Option(names = "--purpose", paramLabel = "P", description = "Withdraw consent for this purpose.")
        String purpose;

        @Option(names = "--all", description = "Unsubscribe from everything.")
        boolean all;
    }

    @Option(names = "--source", paramLabel = "S", description = "How the withdrawal reached you.")
    String source;

    ConsentWithdrawCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        String purpose = scope.all ? ConsentStatement.ALL_PURPOSES : scope.purpose;
        context.engine().consent().withdraw(email, purpose, source, context.actor());
        context.out().printf("Recorded: %s withdrew consent for %s.%n", email.strip(),
                scope.all ? "everything" : "'" + purpose + "'");
        return 0;
    }
}
