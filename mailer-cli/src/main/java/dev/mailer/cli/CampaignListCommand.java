package dev.mailer.cli;

import dev.mailer.campaign.CampaignListing;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Every campaign, newest first: name, purpose, status, when it was created, and its rows by"
                + " outcome (sent, failed, open = still to be sent, held, unknown, skipped, cancelled).",
        footer = {"", "Examples:", "  mailer campaign list", "  mailer campaign list --json"})
final class CampaignListCommand implements Callable<Integer> {
    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private final CliContext context;

    @Option(names = "--json", description = "Print one JSON array: [{name, purpose, status, created, finished, sent,"
            + " failed, open, held, unknown, skipped, cancelled}].")
    boolean json;

    CampaignListCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<CampaignListing> campaigns = context.engine().campaignPorts().campaigns().list();
        if (json) {
            context.printJson(campaigns);
            return 0;
        }
        var out = context.out();
        if (campaigns.isEmpty()) {
            out.println("No campaigns yet: a campaign is created by its first send or preview.");
            return 0;
        }
        int width = Math.max(8, campaigns.stream().mapToInt(c -> c.name().length()).max().orElse(8));
        String format = "%-" + width + "s  %-12s  %-9s  %-16s  %8s  %7s  %7s  %6s  %9s%n";
        out.printf(format, "CAMPAIGN", "PURPOSE", "STATUS", "CREATED", "SENT", "FAILED", "OPEN", "HELD", "CANCELLED");
        for (CampaignListing c : campaigns) {
            out.printf(format, c.name(), c.purpose(), c.status(), CREATED.format(c.created()), c.sent(), c.failed(),
                    c.open(), c.held(), c.cancelled());
        }
        return 0;
    }
}
