package dev.mailer.cli;

import picocli.CommandLine.Command;

@Command(name = "consent", mixinStandardHelpOptions = true,
        description = "Record, withdraw and show consent. Every change is appended to the person's history.",
        subcommands = {ConsentGrantCommand.class, ConsentWithdrawCommand.class, ConsentShowCommand.class,
                ConsentRequestCommand.class})
final class ConsentCommand extends ParentCommand {
}
