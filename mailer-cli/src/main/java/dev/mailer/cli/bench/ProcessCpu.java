package dev.mailer.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * CPU time of this JVM and of a PostgreSQL server (the postmaster and its live backends, plus the
 * children it reaped), for {@code bench send}'s CPU per message. The server's is read from Linux's
 * {@code /proc}; elsewhere it is not known.
 */
final class ProcessCpu {
    /** USER_HZ: Linux reports process times in these ticks on every platform it runs on today. */
    private static final long TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    /** This JVM's CPU time so far, in nanoseconds. */
    static long jvmNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean bean) {
            return bean.getProcessCpuTime();
        }
        return -1;
    }

    /** The postmaster's pid: the first line of {@code DATA/postmaster.pid}. */
    static OptionalLong postmaster(Path dataDirectory) {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** CPU time of the server whose postmaster is {@code pid}, in nanoseconds; -1 when /proc cannot say. */
    static long serverNanos(long pid) {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return -1;
        }
        long ticks = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path entry : entries) {
                long[] stat = stat(entry.resolve("stat"));
                if (stat == null) {
                    continue;
                }
                if (stat[0] == pid) {
                    ticks += stat[2] + stat[3] + stat[4] + stat[5]; // its own and its reaped children's
                } else if (stat[1] == pid) {
                    ticks += stat[2] + stat[3];
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * 1_000_000_000L / TICKS_PER_SECOND;
    }

    /** pid, ppid, utime, stime, cutime, cstime of a {@code /proc/PID/stat}, or null. */
    private static long[] stat(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            int close = text.lastIndexOf(')'); // the command name may hold spaces and parentheses
            String[] f = text.substring(close + 2).split(" ");
            // after the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
            return new long[] {Long.parseLong(text.substring(0, text.indexOf(' '))), Long.parseLong(f[1]),
                    Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null; // the process ended while being read
        }
    }
}
