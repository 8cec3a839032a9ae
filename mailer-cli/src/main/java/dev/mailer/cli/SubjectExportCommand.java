package dev.mailer.cli;

import dev.mailer.subject.DataSubject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Print, as JSON, everything stored about one person: contact, attributes, consent history, "
                + "deliveries, bounces, complaints, unsubscribes and suppressions. The access is written to the audit log.",
        footer = {"", "Example:", "  mailer subject export anna@example.pl > anna.json"})
final class SubjectExportCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    SubjectExportCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        context.printJson(context.engine().subjects().export(email, context.actor()));
        return 0;
    }
}
