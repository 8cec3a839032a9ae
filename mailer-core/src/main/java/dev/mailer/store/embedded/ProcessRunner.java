package dev.mailer.store.embedded;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived helper program (initdb, pg_ctl, id) to completion and captures what it
 * printed, so that nothing reaches mailer's own stdout and failures can be explained.
 */
final class ProcessRunner {
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private ProcessRunner() {
    }

    /**
     * Output goes to a file rather than a pipe: a pipe would block a chatty child while we wait,
     * and would never reach end-of-file if a grandchild (the postmaster) kept it open.
     */
    static Result run(List<String> command, Path workDir, Duration timeout) {
        String program = Path.of(command.get(0)).getFileName().toString();
        Path output = null;
        try {
            output = Files.createTempFile(workDir, "." + program + "-", ".out", FileTrees.ownerOnlyFile());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            cleanEnvironment(builder.environment());
            Process process = builder.start();
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new MailerException(ErrorKind.INTERRUPTED, "Interrupted while waiting for " + program + ".", e);
            }
            if (!finished) {
                process.destroyForcibly();
                throw new MailerException(ErrorKind.INTERNAL, program + " did not finish within "
                        + timeout.toSeconds() + " s: " + oneLine(read(output)));
            }
            return new Result(process.exitValue(), read(output));
        } catch (IOException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not run " + program + ": "
                    + FileTrees.describe(e) + ".", e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a stray capture file in postgres/ is harmless
                }
            }
        }
    }

    /**
     * PG* variables would silently change what initdb and pg_ctl do (PGDATA, PGPORT, PGOPTIONS…);
     * every setting the server needs is passed explicitly.
     */
    private static void cleanEnvironment(Map<String, String> env) {
        env.keySet().removeIf(name -> name.startsWith("PG"));
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The output's non-blank lines joined into one, for a one-sentence error message. */
    static String oneLine(String output) {
        return String.join(" / ", output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }
}
