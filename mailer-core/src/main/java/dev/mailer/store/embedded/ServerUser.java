package dev.mailer.store.embedded;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The operating-system user the PostgreSQL programs run as. PostgreSQL refuses to run as root;
 * when mailer runs as root (CI, containers) the programs are started as an unprivileged user
 * through setpriv, and the files they write are handed to that user.
 */
final class ServerUser {
    private static final Duration ID_TIMEOUT = Duration.ofSeconds(10);
    private static final String HOW_TO_AVOID = "run mailer as an ordinary user, or point it at a"
            + " PostgreSQL server with --db or MAILER_DB_URL.";

    private final String name;
    private final int uid;
    private final int gid;
    /** Null when no switch is needed: the programs run as mailer's own user. */
    private final Path setpriv;

    private ServerUser(String name, int uid, int gid, Path setpriv) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
        this.setpriv = setpriv;
    }

    static ServerUser detect(String runAsUserWhenRoot, Path workDir) {
        if (effectiveUid(workDir) != 0) {
            return new ServerUser(System.getProperty("user.name"), -1, -1, null);
        }
        Path setpriv = findProgram("setpriv").orElseThrow(() -> new MailerException(ErrorKind.USAGE,
                "mailer runs as root, PostgreSQL refuses to run as root, and setpriv (util-linux),"
                        + " which would start the embedded database as user '" + runAsUserWhenRoot
                        + "', is not installed; " + HOW_TO_AVOID));
        int[] ids = fromPasswdFile(runAsUserWhenRoot)
                .orElseGet(() -> new int[] {idOf(runAsUserWhenRoot, "-u", workDir), idOf(runAsUserWhenRoot, "-g", workDir)});
        int uid = ids[0];
        int gid = ids[1];
        if (uid == 0) {
            throw new MailerException(ErrorKind.USAGE, "The embedded database cannot run as user '"
                    + runAsUserWhenRoot + "' because that user is root and PostgreSQL refuses to run as root; "
                    + HOW_TO_AVOID);
        }
        return new ServerUser(runAsUserWhenRoot, uid, gid, setpriv);
    }

    boolean switches() {
        return setpriv != null;
    }

    String name() {
        return name;
    }

    /**
     * The command line that runs {@code command} as this user. The ambient CAP_DAC_READ_SEARCH
     * lets the unprivileged server read the binaries and pass through mailer's private home
     * (0700, often under /root) without opening that home up to everyone; it grants no writes.
     * The no_setuid_fixup securebit makes access(2) honour that capability too: the PostgreSQL
     * programs check their own path with access(), which otherwise drops all capabilities of a
     * non-root caller ("invalid binary ...: Permission denied").
     */
    List<String> command(List<String> command) {
        if (setpriv == null) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of(setpriv.toString(),
                "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--securebits=+no_setuid_fixup",
                "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Runs a PostgreSQL program as this user. When the user switch itself fails (a container
     * without the capabilities setpriv needs, say) the result would be a puzzling PostgreSQL
     * error, so that failure is reported as what it is.
     */
    ProcessRunner.Result run(List<String> command, Path workDir, Duration timeout) {
        ProcessRunner.Result result = ProcessRunner.run(command(command), workDir, timeout);
        if (setpriv != null && !result.ok()) {
            Optional<String> setprivError = result.output().lines()
                    .filter(line -> line.startsWith("setpriv:"))
                    .findFirst();
            if (setprivError.isPresent()) {
                throw new MailerException(ErrorKind.USAGE, "mailer runs as root and could not start the"
                        + " embedded PostgreSQL as user '" + name + "' (" + setprivError.get().strip()
                        + "); " + HOW_TO_AVOID);
            }
        }
        return result;
    }

    /** Gives a file or directory that the server must own or write to this user. */
    void handOver(Path path) throws IOException {
        if (setpriv == null) {
            return;
        }
        try {
            Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // the "unix" attribute view is an OpenJDK extension; chown(1) works everywhere
            ProcessRunner.Result chown = ProcessRunner.run(
                    List.of("chown", "-h", uid + ":" + gid, path.toString()), path.getParent(), ID_TIMEOUT);
            if (!chown.ok()) {
                throw new IOException("chown " + path + ": " + ProcessRunner.oneLine(chown.output()));
            }
        }
    }

    /**
     * The kernel's view (/proc) rather than user.name or $USER, which lie under sudo, su and in
     * containers started with a numeric --user.
     */
    static int effectiveUid(Path workDir) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    // Uid: real effective saved filesystem
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to id(1)
        }
        ProcessRunner.Result id = ProcessRunner.run(List.of("id", "-u"), workDir, ID_TIMEOUT);
        try {
            return Integer.parseInt(id.output().strip());
        } catch (NumberFormatException e) {
            throw new MailerException(ErrorKind.INTERNAL, "Could not tell which user mailer runs as: "
                    + ProcessRunner.oneLine(id.output()) + ".");
        }
    }

    /** The common case without starting a process; id(1) covers users from LDAP and other NSS sources. */
    private static Optional<int[]> fromPasswdFile(String user) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 4 && fields[0].equals(user)) {
                    return Optional.of(new int[] {Integer.parseInt(fields[2]), Integer.parseInt(fields[3])});
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall back to id(1)
        }
        return Optional.empty();
    }

    private static int idOf(String user, String option, Path workDir) {
        ProcessRunner.Result id = ProcessRunner.run(List.of("id", option, user), workDir, ID_TIMEOUT);
        if (id.ok()) {
            try {
                return Integer.parseInt(id.output().strip());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new MailerException(ErrorKind.USAGE, "mailer runs as root and PostgreSQL refuses to run as"
                + " root, but user '" + user + "', who would run the embedded database, does not exist ("
                + ProcessRunner.oneLine(id.output()) + "); " + HOW_TO_AVOID);
    }

    private static Optional<Path> findProgram(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        // sudo and cron often run with a PATH that lacks the sbin directories
        dirs.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
