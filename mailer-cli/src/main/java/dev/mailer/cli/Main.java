package dev.mailer.cli;

import dev.mailer.error.SecretMask;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/** Entry point of mailer.jar. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // quiet libraries (Flyway, HikariCP) unless something is wrong; set before any logger exists
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        // HikariCP warns, with a stack trace, about every connection a vanished database refused; the
        // person is told once, in mailer's own sentence (exit 6). --verbose shows them.
        boolean verbose = java.util.Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
        if (System.getProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", verbose ? "info" : "off");
        }
        // GreenMail (demo) warns about every report it stores: multipart/report is all the feedback mailbox holds
        System.setProperty("org.slf4j.simpleLogger.log.com.icegreen.greenmail.store.SimpleMessageAttributes", "error");
        boolean terminal = System.console() != null;
        // everything this process prints, library log lines and uncaught stack traces too, goes
        // through the one mask of this command's secrets
        SecretMask secrets = new SecretMask();
        PrintStream out = ScrubbedOutput.printStream(new FileOutputStream(FileDescriptor.out), secrets);
        PrintStream err = ScrubbedOutput.printStream(new FileOutputStream(FileDescriptor.err), secrets);
        System.setOut(out);
        System.setErr(err);
        int code = run(args, out, err, System.getenv(), System.in, terminal, secrets);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command; returns its exit code (SPEC §8). Tests call this directly. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, InputStream in,
                          boolean terminal) {
        return run(args, out, err, env, in, terminal, new SecretMask());
    }

    private static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, InputStream in,
                           boolean terminal, SecretMask secrets) {
        try (CliContext context = new CliContext(out, err, env, in, terminal, secrets)) {
            context.arguments(args);
            return MailerCommand.commandLine(context).execute(args);
        }
    }
}
