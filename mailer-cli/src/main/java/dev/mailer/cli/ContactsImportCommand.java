package dev.mailer.cli;

import dev.mailer.contacts.ContactImport;
import dev.mailer.contacts.ImportResult;
import dev.mailer.contacts.Reject;
import dev.mailer.error.ErrorKind;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {
                "Import contacts and their consent records from a UTF-8 CSV file with a header row.",
                "Columns: email (required), name, locale, tags (;-separated), birth_date, consent_purpose, "
                        + "consent_status, consent_at, consent_source, consent_ip, consent_text, confirmed_at, "
                        + "lawful_basis, parental_consent; any other column becomes a contact attribute.",
                "Re-importing the same file changes nothing. Bad rows are listed with their line number; the others import.",
        },
        footer = {"", "Example:", "  mailer contacts import customers.csv --source 'shop checkout 2025'"})
final class ContactsImportCommand implements Callable<Integer> {
    private static final int LISTED_ON_TERMINAL = 50;
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "FILE.csv", description = "The CSV file to import.")
    Path file;

    @Option(names = "--source", paramLabel = "NAME",
            description = "Where these consents were given, for rows whose consent_source is empty.")
    String source;

    @Option(names = "--strict", description = "Abort the whole import, writing nothing, if any row is bad.")
    boolean strict;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    ContactsImportCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Progress progress = new Progress(context, "rows read");
        ImportResult result = context.engine().contactImport()
                .run(file, source, strict, context.actor(), progress::update);
        progress.done();
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("imported", result.imported());
            out.put("updated", result.updated());
            out.put("unchanged", result.unchanged());
            out.put("rejected", result.rejected());
            out.put("rejects", result.rejects());
            if (result.rejectsTruncated()) {
                out.put("rejectsTruncated", true);
            }
            if (result.aborted()) {
                out.put("aborted", true);
            }
            context.printJson(out);
        } else {
            printText(result);
        }
        return result.aborted() ? ExitCodes.USAGE : 0;
    }

    private void printText(ImportResult result) {
        var out = context.out();
        if (result.aborted()) {
            context.err().println("Import aborted (--strict): " + result.rejected() + " bad row"
                    + (result.rejected() == 1 ? "" : "s") + "; nothing was written.");
        } else {
            out.printf("%s: %d imported, %d updated, %d unchanged, %d rejected%n", file.getFileName(),
                    result.imported(), result.updated(), result.unchanged(), result.rejected());
        }
        int shown = 0;
        for (Reject reject : result.rejects()) {
            if (shown++ == LISTED_ON_TERMINAL) {
                out.printf("  … and %d more (use --json for the full list)%n", result.rejected() - LISTED_ON_TERMINAL);
                break;
            }
            out.printf("  line %d: %s%s%n", reject.line(), reject.reason(),
                    reject.email().isEmpty() ? "" : " (" + reject.email() + ")");
        }
    }
}
