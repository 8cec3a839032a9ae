package dev.mailer.cli;

import dev.mailer.campaign.CampaignCancel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancel a campaign for good: its rows still to be sent (pending, deferred, held) become"
                + " 'cancelled' and are never sent, and a later send of the same name is refused (exit 2; give"
                + " --name NEW to send the file as a new campaign). Sent rows and the report stay. Refused"
                + " (exit 3) while a send of the campaign runs."},
        footer = {"", "Examples:", "  mailer campaign cancel newsletter-2026-12",
                "  mailer campaign cancel newsletter-2026-12 --json"})
final class CampaignCancelCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "NAME", description = "The campaign's name, as 'mailer campaign list' shows it.")
    String name;

    @Option(names = "--json", description = "Print one JSON object: campaign, alreadyCancelled, rowsCancelled.")
    boolean json;

    CampaignCancelCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        CampaignCancel.Result result = new CampaignCancel(context.engine().campaignPorts()).cancel(name);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("campaign", result.campaign());
            out.put("alreadyCancelled", result.alreadyCancelled());
            out.put("rowsCancelled", result.rowsCancelled());
            context.printJson(out);
        } else if (result.alreadyCancelled()) {
            context.out().println("Campaign " + name + " was already cancelled; nothing changed.");
        } else {
            context.out().println("Campaign " + name + " cancelled: " + result.rowsCancelled()
                    + (result.rowsCancelled() == 1 ? " message" : " messages") + " will never be sent.");
        }
        return 0;
    }
}
