package dev.mailer.cli.bench;

import dev.mailer.cli.CliContext;
import dev.mailer.cli.Progress;
import dev.mailer.contacts.ContactImport;
import dev.mailer.contacts.ImportResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Generate a CSV of N synthetic contacts (about 70%% eligible for a newsletter) and time its import.",
        footer = {"", "Example:", "  MAILER_HOME=/tmp/bench ./mailer bench import --rows 1000000"})
final class BenchImportCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--rows", defaultValue = "1000000", paramLabel = "N", description = "Rows to generate (default ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    BenchImportCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("mailer-bench-");
        Path csv = dir.resolve("contacts.csv");
        try {
            long t0 = System.nanoTime();
            SyntheticContacts.write(csv, rows, seed);
            double generated = (System.nanoTime() - t0) / 1e9;
            ContactImport importer = context.engine().contactImport();
            Progress progress = new Progress(context, "rows imported");
            long t1 = System.nanoTime();
            ImportResult result = importer.run(csv, "bench", false, context.actor(), progress::update);
            double seconds = (System.nanoTime() - t1) / 1e9;
            progress.done();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rows", rows);
            out.put("fileMegabytes", Math.round(Files.size(csv) / 1e5) / 10.0);
            out.put("generateSeconds", round(generated));
            out.put("importSeconds", round(seconds));
            out.put("rowsPerSecond", Math.round(rows / seconds));
            out.put("imported", result.imported());
            out.put("updated", result.updated());
            out.put("unchanged", result.unchanged());
            out.put("rejected", result.rejected());
            out.put("cores", Runtime.getRuntime().availableProcessors());
            if (json) {
                context.printJson(out);
            } else {
                out.forEach((k, v) -> context.out().printf("%-16s %s%n", k, v));
            }
            return 0;
        } finally {
            Files.deleteIfExists(csv);
            Files.deleteIfExists(dir);
        }
    }

    static double round(double seconds) {
        return Math.round(seconds * 100) / 100.0;
    }
}
