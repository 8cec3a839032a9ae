package dev.mailer.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err, System.getenv(), System.in, System.console() != null));
    }

    /** Runs one command; returns its exit code (SPEC §8). Tests call this directly. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, InputStream in,
                          boolean terminal) {
        try (CliContext context = new CliContext(out, err, env, in, terminal)) {
            return MailerCommand.commandLine(context).execute(args);
        }
    }
}
