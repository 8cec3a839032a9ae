package dev.mailer.cli.bench;

import dev.mailer.cli.ParentCommand;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Rerunnable benchmarks. Run them against a throw-away MAILER_HOME or database.",
        subcommands = {BenchImportCommand.class, BenchGateCommand.class, BenchRenderCommand.class, BenchSendCommand.class,
                BenchParseCommand.class, BenchServeCommand.class})
public final class BenchCommand extends ParentCommand {
}
