package dev.mailer.cli;

import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ConsentStatement;
import java.time.OffsetDateTime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "grant", mixinStandardHelpOptions = true,
        description = "Record that a person gave consent for a purpose now (creates the contact if needed).",
        footer = {"", "Example:",
                "  mailer consent grant anna@example.pl --purpose newsletter --source 'paper form, shop counter' --confirmed"})
final class ConsentGrantCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--purpose", required = true, paramLabel = "P", description = "What the consent is for, e.g. newsletter.")
    String purpose;

    @Option(names = "--source", paramLabel = "S", description = "Where it was given: form URL, checkout, paper form …")
    String source;

    @Option(names = "--ip", paramLabel = "IP", description = "The IP address it was given from, as proof.")
    String ip;

    @Option(names = "--text", paramLabel = "VERSION", description = "Version or hash of the consent wording shown.")
    String text;

    @Option(names = "--confirmed", description = "The person has confirmed it (double opt-in).")
    boolean confirmed;

    @Option(names = "--parental-consent", description = "A parent or guardian consented (for minors).")
    boolean parental;

    @Option(names = "--existing-customer", description = "Lawful basis is existing_customer rather than consent.")
    boolean existingCustomer;

    @Option(names = "--json", description = "Print the new record as JSON.")
    boolean json;

    ConsentGrantCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ConsentStatement statement = new ConsentStatement(purpose, ConsentStatement.GRANTED, null,
                source, ip, text, confirmed ? OffsetDateTime.now() : null,
                existingCustomer ? ConsentStatement.BASIS_EXISTING_CUSTOMER : ConsentStatement.BASIS_CONSENT, parental);
        ConsentRecord record = context.engine().consent().grant(email, statement, null, context.actor());
        if (json) {
            context.printJson(record);
        } else {
            context.out().printf("Recorded: %s granted consent for '%s'%s.%n", email.strip(), purpose,
                    confirmed ? " (confirmed)" : " (not confirmed: campaigns that require double opt-in skip it)");
        }
        return 0;
    }
}
