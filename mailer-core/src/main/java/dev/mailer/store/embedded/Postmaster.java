package dev.mailer.store.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

    /**
     * The postmaster's working directory is its data directory (it chdirs there at start), which
     * identifies it far better than the program name. Readable for our own processes and, as
     * root, for the server user's.
     */
    static boolean isRunning(long pid, Path dataDir) {
        State state = inspect(pid, dataDir);
        return state != State.GONE && state != State.ZOMBIE;
    }

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
        try {
            Path cwd = Files.readSymbolicLink(proc.resolve("cwd"));
            return cwd.equals(dataDir.toRealPath()) ? State.OURS : State.OTHER_PROGRAM;
        } catch (NoSuchFileException e) {
            return Files.exists(proc) ? State.UNKNOWN : State.GONE;
        } catch (IOException | SecurityException e) {
            return State.UNKNOWN;
        }
    }
}
