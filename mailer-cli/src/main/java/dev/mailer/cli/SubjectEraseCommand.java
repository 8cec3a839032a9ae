package dev.mailer.cli;

import dev.mailer.contacts.EmailAddress;
import dev.mailer.consent.ConsentService;
import dev.mailer.error.MailerException;
import dev.mailer.subject.DataSubject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "erase", mixinStandardHelpOptions = true,
        description = {"Delete a person's personal data everywhere (GDPR art. 17). Only a one-way hash of the address "
                + "stays on the suppression list, so the address can never be imported or mailed again.",
                "Asks for confirmation on a terminal; without one, --yes is required."},
        footer = {"", "Example:", "  mailer subject erase anna@example.pl --yes"})
final class SubjectEraseCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    SubjectEraseCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        String address = EmailAddress.require(email).address();
        if (!yes) {
            if (!context.terminal()) {
                throw MailerException.usage("Refusing to erase " + address
                        + " without confirmation: add --yes when no one is at a terminal.");
            }
            context.out().printf("Erase all personal data of %s? This cannot be undone. Type 'erase' to confirm: ", address);
            context.out().flush();
            String answer = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8)).readLine();
            if (answer == null || !answer.strip().equals("erase")) {
                context.out().println("Nothing erased.");
                return 0;
            }
        }
        DataSubject.Erasure erasure = context.engine().subjects().erase(email, context.actor());
        context.out().printf(erasure.contactFound()
                        ? "Erased %s: contact and %d consent records deleted, %d deliveries anonymised; "
                                + "the address stays blocked by hash.%n"
                        : "No contact had the address %s; it is now blocked by hash all the same.%n",
                address, erasure.consentRecords(), erasure.deliveries());
        return 0;
    }
}
