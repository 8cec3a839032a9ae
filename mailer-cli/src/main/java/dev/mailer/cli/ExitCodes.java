package dev.mailer.cli;

import dev.mailer.error.ErrorCode;
import dev.mailer.error.MailerException;
import picocli.CommandLine;

/**
 * The one place where failures become exit codes and one-sentence messages (SPEC §8).
 * Stack traces only with --verbose.
 */
final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
    private final CliContext context;

    ExitCodes(CliContext context) {
        this.context = context;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        MailerException failure = find(e);
        if (failure != null) {
            context.err().println(failure.getMessage());
            if (context.verbose()) {
                failure.printStackTrace(context.err());
            }
            return failure.code().exitCode();
        }
        context.err().println("Internal error: " + describe(e)
                + (context.verbose() ? "" : " (run with --verbose to see the details)."));
        if (context.verbose()) {
            e.printStackTrace(context.err());
        }
        return ErrorCode.INTERNAL.exitCode();
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
