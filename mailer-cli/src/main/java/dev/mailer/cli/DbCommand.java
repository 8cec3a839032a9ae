package dev.mailer.cli;

import picocli.CommandLine.Command;

@Command(name = "db", mixinStandardHelpOptions = true, description = "Database maintenance.",
        subcommands = {DbMigrateCommand.class, DbStatusCommand.class, DbBackupCommand.class,
                DbRestoreCommand.class})
final class DbCommand extends ParentCommand {
}
