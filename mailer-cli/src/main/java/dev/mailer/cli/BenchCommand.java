package dev.mailer.cli;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Rerunnable benchmarks. Run them against a throw-away MAILER_HOME or database.",
        subcommands = {BenchImportCommand.class, BenchGateCommand.class, BenchRenderCommand.class, BenchSendCommand.class,
                BenchParseCommand.class})
final class BenchCommand extends ParentCommand {
}
