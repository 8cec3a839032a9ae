package dev.mailer.cli;

import picocli.CommandLine.Command;

@Command(name = "contacts", mixinStandardHelpOptions = true, description = "Manage contacts.",
        subcommands = ContactsImportCommand.class)
final class ContactsCommand extends ParentCommand {
}
