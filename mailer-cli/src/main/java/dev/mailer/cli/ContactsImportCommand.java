package dev.mailer.cli;

import dev.mailer.contacts.ColumnMap;
import dev.mailer.contacts.ImportOptions;
import dev.mailer.contacts.ImportPreset;
import dev.mailer.contacts.ImportProgress;
import dev.mailer.contacts.ImportResult;
import dev.mailer.contacts.Reject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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
                "A file with other column names: --map or --map-file, or --preset for the exports of Mailchimp "
                        + "and listmonk.",
                "Re-importing the same file changes nothing. Bad rows are listed with their line number; the others "
                        + "import. When every row is rejected the import exits with 2.",
        },
        footer = {"", "Examples:", "  mailer contacts import customers.csv --source 'shop checkout 2025'",
                "  mailer contacts import subscribed_members_export.csv --preset mailchimp \\",
                "      --purpose newsletter --timezone Europe/Warsaw",
                "  mailer contacts import old.csv --purpose newsletter \\",
                "      --map 'E-mail=email,\"Name, full\"=name,Signed up=consent_at'"})
final class ContactsImportCommand implements Callable<Integer> {
    private static final int LISTED_ON_TERMINAL = 50;
    private static final Duration QUIET_FOR = Duration.ofSeconds(2);
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "FILE.csv", description = "The CSV file to import.")
    Path file;

    @Option(names = "--source", paramLabel = "NAME",
            description = "Where these consents were given, for rows whose consent_source is empty.")
    String source;

    @Option(names = "--strict", description = "Abort the whole import, writing nothing, if any row is bad.")
    boolean strict;

    @Option(names = "--map", paramLabel = "'Source=target,…'",
            description = {"What the file's columns are: Source=target, comma-separated (repeatable). Targets: "
                    + "mailer's columns, attribute:NAME, or - to leave a column out. Several columns may give name "
                    + "(joined with spaces) or tags. Quote a name holding , or = in double quotes (\"\" for a quote)."})
    List<String> maps;

    @Option(names = "--map-file", paramLabel = "FILE",
            description = "The same rules, one Source=target per line (# starts a comment line).")
    Path mapFile;

    @Option(names = "--preset", paramLabel = "mailchimp|listmonk",
            description = "The file is an export of Mailchimp's audience or of listmonk's subscribers; "
                    + "--map still overrides single columns.")
    String preset;

    @Option(names = "--purpose", paramLabel = "P",
            description = "The purpose of the file's consent columns, for files without a consent_purpose column.")
    String purpose;

    @Option(names = "--timezone", paramLabel = "ZONE",
            description = "The zone of date-times written without an offset (e.g. Europe/Warsaw).")
    String timezone;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    ContactsImportCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ColumnMap map = ColumnMap.NONE;
        for (String text : maps == null ? List.<String>of() : maps) {
            map = map.and(ColumnMap.parse(text));
        }
        if (mapFile != null) {
            map = map.and(ColumnMap.read(mapFile));
        }
        ImportOptions options = new ImportOptions(source, strict, preset == null ? null : ImportPreset.named(preset),
                map, purpose, timezone == null ? null : ImportOptions.zone(timezone));
        Bar bar = new Bar(new Progress(context, "rows read", QUIET_FOR));
        ImportResult result;
        try {
            result = context.engine().contactImport().run(file, options, context.actor(), bar);
        } finally {
            bar.progress.done();
        }
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
        if (result.aborted()) {
            return ExitCodes.USAGE;
        }
        if (result.rejected() > 0 && result.imported() + result.updated() + result.unchanged() == 0) {
            context.err().println(nothingImported(result));
            return ExitCodes.USAGE;
        }
        return 0;
    }

    /** The one sentence of an import whose every row was rejected, with the fix when the reason says it. */
    private static String nothingImported(ImportResult result) {
        StringBuilder sentence = new StringBuilder("Nothing imported: ").append(result.rejected() == 1
                ? "the only row was rejected" : "all " + result.rejected() + " rows were rejected");
        if (!result.rejects().isEmpty()) {
            Reject first = result.rejects().get(0);
            sentence.append(result.rejected() == 1 ? " (line " : ", the first (line ").append(first.line())
                    .append(") for \"").append(first.reason()).append('"');
            if (first.reason().endsWith("given without consent_purpose")) {
                sentence.append("; give --purpose P to apply the file's consent columns to one purpose");
            }
        }
        return sentence.append('.').toString();
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

    /**
     * The import's progress bar on a terminal: rows read and how far into the file, then the merge.
     * Drawn only when the import runs longer than a couple of seconds, never without a terminal.
     */
    static final class Bar implements ImportProgress {
        private static final int WIDTH = 30;
        private static final long REDRAW_NANOS = 200_000_000L;
        final Progress progress;
        private long lastDrawn;

        Bar(Progress progress) {
            this.progress = progress;
        }

        @Override
        public void reading(long rows, long bytesRead, long fileBytes) {
            long now = System.nanoTime();
            if (now - lastDrawn < REDRAW_NANOS) {
                return;
            }
            lastDrawn = now;
            progress.update(rows, fileBytes > 0 ? bar(Math.min(1.0, (double) bytesRead / fileBytes)) : null);
        }

        @Override
        public void merging(long rows) {
            progress.update(rows, bar(1.0) + " merging into contacts and consent records");
        }

        /** {@code [=========>          ]  42%} */
        static String bar(double done) {
            int filled = (int) Math.round(done * WIDTH);
            StringBuilder bar = new StringBuilder("[");
            for (int i = 0; i < WIDTH; i++) {
                bar.append(i < filled - 1 || (i == filled - 1 && filled == WIDTH) ? '=' : i == filled - 1 ? '>' : ' ');
            }
            return bar.append("] ").append(String.format("%3d%%", Math.round(done * 100))).toString();
        }
    }
}
