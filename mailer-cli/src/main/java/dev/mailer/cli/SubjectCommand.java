package dev.mailer.cli;

import picocli.CommandLine.Command;

@Command(name = "subject", mixinStandardHelpOptions = true,
        description = "Data-subject rights: export everything stored about a person, or erase it.",
        subcommands = {SubjectExportCommand.class, SubjectEraseCommand.class})
final class SubjectCommand extends ParentCommand {
}
