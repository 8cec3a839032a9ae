package dev.mailer.cli;

import picocli.CommandLine.Command;

@Command(name = "suppress", mixinStandardHelpOptions = true,
        description = "Operator blocks: addresses that are never mailed, whatever their consent.",
        subcommands = {SuppressAddCommand.class, SuppressRemoveCommand.class, SuppressListCommand.class})
final class SuppressCommand extends ParentCommand {
}
