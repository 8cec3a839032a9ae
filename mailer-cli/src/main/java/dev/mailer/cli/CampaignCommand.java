package dev.mailer.cli;

import picocli.CommandLine.Command;

@Command(name = "campaign", mixinStandardHelpOptions = true, description = "List and cancel campaigns.",
        subcommands = {CampaignListCommand.class, CampaignCancelCommand.class})
final class CampaignCommand extends ParentCommand {
}
