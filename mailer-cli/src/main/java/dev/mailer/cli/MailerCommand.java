package dev.mailer.cli;

import dev.mailer.cli.bench.BenchCommand;
import dev.mailer.cli.demo.DemoCommand;
import java.lang.reflect.Constructor;
import java.util.List;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "mailer",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
                "Bulk e-mail with a consent gate: only people whose recorded opt-in covers a campaign's purpose are mailed.",
                "",
                "Quick start:  mailer demo",
        },
        subcommands = {
                ContactsCommand.class,
                ConsentCommand.class,
                SubjectCommand.class,
                SuppressCommand.class,
                SendCommand.class,
                CampaignCommand.class,
                PreviewCommand.class,
                ReportCommand.class,
                FeedbackCommand.class,
                ServeCommand.class,
                DbCommand.class,
                DemoCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class,
        },
        footer = {
                "",
                "Environment: MAILER_HOME (default ~/.mailer), MAILER_DB_URL, MAILER_DB_USER, MAILER_DB_PASSWORD,",
                "             MAILER_SMTP_URL, MAILER_SMTP_PASSWORD, MAILER_MAILBOX_URL, MAILER_MAILBOX_PASSWORD",
                "             (each *_PASSWORD also as *_PASSWORD_FILE, a file holding it), MAILER_SECRET,",
                "             MAILER_TLS_CA, MAILER_PG_USER (user of the embedded server when run as root; default nobody).",
                "Exit codes: 0 done, 1 internal error, 2 usage/configuration/input error, 3 resource busy,",
                "            4 no SMTP relay usable (resumable), 130 interrupted (resumable).",
        })
final class MailerCommand implements Runnable {
    private final CliContext context;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    MailerCommand(CliContext context) {
        this.context = context;
    }

    @Option(names = "--db", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "PostgreSQL to use (jdbc:postgresql://host:5432/db); default: MAILER_DB_URL, the config file, "
                    + "else an embedded PostgreSQL in $MAILER_HOME.")
    void db(String url) {
        context.dbFlag(url);
    }

    @Option(names = "--db-password-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "File holding the database password (default: MAILER_DB_PASSWORD, MAILER_DB_PASSWORD_FILE, else "
                    + "'db-password-file' in mailer.yaml); keeps it off the command line.")
    void dbPasswordFile(Path file) {
        context.dbPasswordFileFlag(file);
    }

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Configuration file (default: ./mailer.yaml when present).")
    void config(Path file) {
        context.configFlag(file);
    }

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show stack traces and more detail on errors.")
    void verbose(boolean verbose) {
        context.verbose(verbose);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command; see 'mailer --help'.");
    }

    static CommandLine commandLine(CliContext context) {
        CommandLine commandLine = new CommandLine(MailerCommand.class, new ContextFactory(context));
        commandLine.setOut(new java.io.PrintWriter(context.out(), true));
        commandLine.setErr(new java.io.PrintWriter(context.err(), true));
        ExitCodes exitCodes = new ExitCodes(context);
        commandLine.setExecutionExceptionHandler(exitCodes);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // the examples in the footers are whole command lines: 80 columns cut them in the middle
        commandLine.setUsageHelpWidth(120);
        commandLine.setUsageHelpAutoWidth(true);
        commandLine.setExecutionStrategy(parseResult -> {
            List<CommandLine> chain = parseResult.asCommandLineList();
            String qualified = chain.get(chain.size() - 1).getCommandSpec().qualifiedName(" ");
            context.command(qualified.startsWith("mailer ") ? qualified.substring("mailer ".length()) : qualified);
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (Error e) {
                // picocli hands only Exceptions to the handler: an Error must not end the command unexplained
                return exitCodes.handle(e, parseResult);
            }
        });
        return commandLine;
    }

    /** Gives every command that wants it the shared {@link CliContext}. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> constructor = type.getDeclaredConstructor(CliContext.class);
                constructor.setAccessible(true);
                return constructor.newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
