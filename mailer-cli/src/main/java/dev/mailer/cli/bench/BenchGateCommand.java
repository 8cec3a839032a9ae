package dev.mailer.cli.bench;

import dev.mailer.campaign.CampaignFileParser;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.campaign.DryRun;
import dev.mailer.campaign.SendReport;
import dev.mailer.cli.CliContext;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "gate", mixinStandardHelpOptions = true,
        description = "Time the consent gate's dry-run report over the whole database for a campaign, several runs.",
        footer = {"", "Example (after bench import):",
                "  MAILER_HOME=/tmp/bench MAILER_JAVA_OPTS=-Xmx256m ./mailer bench gate examples/newsletter.yaml"})
final class BenchGateCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "CAMPAIGN.yaml")
    Path campaignFile;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Runs (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    BenchGateCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        CampaignSpec spec = new CampaignFileParser().parse(campaignFile, LocalDate.now(), null);
        DryRun dryRun = new DryRun(context.engine().campaignPorts());
        double best = Double.MAX_VALUE;
        SendReport report = null;
        for (int i = 0; i < Math.max(1, runs); i++) {
            long t0 = System.nanoTime();
            report = dryRun.gateOnly(spec);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("considered", report.considered());
        out.put("eligible", report.eligible());
        out.put("bestSeconds", BenchImportCommand.round(best));
        out.put("runs", runs);
        out.put("maxHeapMegabytes", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        out.put("peakHeapUsedMegabytes", peakHeapMegabytes());
        if (json) {
            context.printJson(out);
        } else {
            out.forEach((k, v) -> context.out().printf("%-22s %s%n", k, v));
        }
        return 0;
    }

    private static long peakHeapMegabytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / (1024 * 1024);
    }
}
