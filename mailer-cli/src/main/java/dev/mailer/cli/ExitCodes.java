package dev.mailer.cli;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * The one place where failures become exit codes and one-sentence messages (SPEC §8). Stack
 * traces only with --verbose; with --json the error is printed as JSON on standard output too.
 */
public final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
    static final int INTERNAL = 1;
    static final int USAGE = 2;

    private final CliContext context;

    ExitCodes(CliContext context) {
        this.context = context;
    }

    /** The exit code for a kind of failure (SPEC §8). */
    public static int of(ErrorKind kind) {
        return switch (kind) {
            case INTERNAL -> INTERNAL;
            case USAGE, CONFIG, CAMPAIGN_FILE, TEMPLATE, INPUT_FILE, SCHEMA -> USAGE;
            case BUSY -> 3;
            case NO_RELAY -> 4;
            case SENDER_REFUSED -> 5;
            case DATABASE_UNREACHABLE, MAILBOX_UNREACHABLE -> 6;
            case INTERRUPTED -> 130;
        };
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        return handle(e, parseResult);
    }

    /**
     * Any failure of a command, an {@link Error} too (a StackOverflowError, an OutOfMemoryError): one
     * sentence and its exit code, never a silent end.
     */
    int handle(Throwable e, CommandLine.ParseResult parseResult) {
        MailerException failure = find(e);
        ErrorKind kind = failure != null ? failure.kind() : ErrorKind.INTERNAL;
        String message = failure != null ? failure.getMessage() : "Internal error: " + describe(e)
                + (context.verbose() ? "" : " (run with --verbose to see the details).");
        context.err().println(message);
        if (context.verbose()) {
            (failure != null ? failure : e).printStackTrace(context.err());
        }
        if (wantsJson(parseResult)) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("kind", kind.code());
            error.put("message", message);
            error.put("exitCode", of(kind));
            context.printJson(Map.of("error", error));
        }
        return of(kind);
    }

    /** Whether the command that failed was asked for --json. */
    private static boolean wantsJson(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult last = parseResult;
        while (last != null && last.hasSubcommand()) {
            last = last.subcommand();
        }
        return last != null && last.hasMatchedOption("--json");
    }

    private static MailerException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MailerException m) {
                return m;
            }
        }
        return null;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
