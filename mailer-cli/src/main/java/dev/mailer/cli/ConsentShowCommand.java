package dev.mailer.cli;

import dev.mailer.consent.ConsentHistory;
import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentService;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show a person's full consent history: what, when, where, how, and how it reached us.",
        footer = {"", "Example:", "  mailer consent show anna@example.pl --json"})
final class ConsentShowCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssXXX");
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--json", description = "Print the history as JSON.")
    boolean json;

    ConsentShowCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ConsentHistory history = context.engine().consent().show(email);
        if (json) {
            context.printJson(history);
            return 0;
        }
        var out = context.out();
        if (history.contact() == null) {
            out.println("No contact has the address " + history.email() + ".");
            return 0;
        }
        out.printf("%s%s%n", history.contact().email(),
                history.contact().name() == null ? "" : " (" + history.contact().name() + ")");
        if (history.records().isEmpty()) {
            out.println("  no consent on record: this person is never mailed");
        }
        for (ConsentRecord r : history.records()) {
            out.printf("  %s  %-9s %-16s source: %s%s%s%s%n", time(r.consentAt()), r.status(),
                    r.purpose().equals("*") ? "(everything)" : r.purpose(),
                    r.source() == null ? "-" : r.source(),
                    r.confirmedAt() == null ? "" : ", confirmed " + time(r.confirmedAt()),
                    r.ip() == null ? "" : ", ip " + r.ip(),
                    r.lawfulBasis().equals("consent") ? "" : ", basis " + r.lawfulBasis());
            out.printf("  %19s  recorded %s via %s%s%n", "", time(r.recordedAt()), r.recordedVia(),
                    r.consentText() == null ? "" : ", wording " + r.consentText());
        }
        return 0;
    }

    private static String time(OffsetDateTime time) {
        return time == null ? "-" : TIME.format(time);
    }
}
