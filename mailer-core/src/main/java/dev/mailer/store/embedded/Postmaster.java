package dev.mailer.store.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What {@code data/postmaster.pid} says about a server, checked against the live process table. */
final class Postmaster {
    enum State {
        /** No such process: nothing to stop. */
        GONE,
        /**
         * Dead but not yet reaped by its parent: nothing to stop, yet PostgreSQL would still see
         * the pid as taken and refuse to start.
         */
        ZOMBIE,
        /** A live process working in our data directory: the server is running. */
        OURS,
        /** A live process elsewhere: the pid was reused, the pid file is stale. */
        OTHER_PROGRAM,
        /** Alive, but /proc would not tell us more; treat it as possibly ours. */
        UNKNOWN
    }

    private Postmaster() {
    }

    static Optional<Long> pidFrom(Path pidFile) {
        try {
            String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("");
            return Optional.of(Long.parseLong(first.strip()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            // A torn pid file from a crash during startup; PostgreSQL reports that itself.
            return Optional.empty();
        }
    }

    static boolean isRunning(long pid, Path dataDir) {
        State state = inspect(pid, dataDir);
        return state != State.GONE && state != State.ZOMBIE;
    }

    /**
     * Identified by its command line ({@code .../postgres -D <data> ...}, which the postmaster
     * keeps, unlike its backends): /proc/PID/cmdline is readable even where /proc/PID/cwd is not,
     * e.g. for root without CAP_SYS_PTRACE (Docker's default) looking at the server user's
     * process. The working directory (the postmaster chdirs to its data directory) is the
     * fallback.
     */
    static State inspect(long pid, Path dataDir) {
        Path proc = Path.of("/proc", Long.toString(pid));
        String stat;
        try {
            stat = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return State.GONE;
        } catch (IOException e) {
            return ProcessHandle.of(pid).map(p -> p.isAlive() ? State.UNKNOWN : State.GONE).orElse(State.GONE);
        }
        // "pid (comm) S ..." where comm may itself contain ") "
        int afterComm = stat.lastIndexOf(')');
        if (afterComm >= 0 && afterComm + 2 < stat.length()) {
            char state = stat.charAt(afterComm + 2);
            if (state == 'Z' || state == 'X') {
                return State.ZOMBIE;
            }
        }
        Optional<State> byCommandLine = byCommandLine(proc, dataDir);
        if (byCommandLine.isPresent()) {
            return byCommandLine.get();
        }
        try {
            Path cwd = Files.readSymbolicLink(proc.resolve("cwd"));
            return Files.isSameFile(cwd, dataDir) ? State.OURS : State.OTHER_PROGRAM;
        } catch (NoSuchFileException e) {
            return Files.exists(proc) ? State.UNKNOWN : State.GONE;
        } catch (IOException | SecurityException e) {
            return State.UNKNOWN;
        }
    }

    private static Optional<State> byCommandLine(Path proc, Path dataDir) {
        List<String> args;
        try {
            byte[] raw = Files.readAllBytes(proc.resolve("cmdline"));
            args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        if (args.isEmpty() || args.get(0).isEmpty()) {
            return Optional.empty();
        }
        if (!Path.of(args.get(0)).getFileName().toString().equals("postgres")) {
            return Optional.of(State.OTHER_PROGRAM);
        }
        int d = args.indexOf("-D");
        if (d < 0 || d + 1 >= args.size()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.isSameFile(Path.of(args.get(d + 1)), dataDir) ? State.OURS : State.OTHER_PROGRAM);
        } catch (IOException | RuntimeException e) {
            // its data directory is gone or unreachable: not ours, ours exists
            return Optional.of(State.OTHER_PROGRAM);
        }
    }
}
