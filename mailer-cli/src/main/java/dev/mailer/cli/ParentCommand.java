package dev.mailer.cli;

import picocli.CommandLine;

/** A command that only groups subcommands: invoked alone, it says which ones exist. */
public abstract class ParentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: one of "
                + String.join(", ", spec.subcommands().keySet()) + "; see 'mailer " + spec.name() + " --help'.");
    }
}
