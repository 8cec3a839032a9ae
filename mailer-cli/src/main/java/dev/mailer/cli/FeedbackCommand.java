package dev.mailer.cli;

import picocli.CommandLine.Command;

@Command(name = "feedback", mixinStandardHelpOptions = true,
        description = "Bounces, complaints and unsubscribe mails: what comes back after sending.",
        subcommands = {FeedbackParseCommand.class, FeedbackPollCommand.class})
final class FeedbackCommand extends ParentCommand {
}
