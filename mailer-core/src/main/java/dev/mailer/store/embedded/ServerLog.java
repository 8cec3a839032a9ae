package dev.mailer.store.embedded;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Pattern;

/** {@code postgres/server.log}, where pg_ctl sends everything the server prints. */
final class ServerLog {
    /** Past this size the log is moved to server.log.1 at the next start, so it cannot grow forever. */
    private static final long ROTATE_AT = 10L * 1024 * 1024;
    /** Never read more than this much back into memory for an error message. */
    private static final int MAX_TAIL = 64 * 1024;
    private static final Pattern FATAL = Pattern.compile("^(FATAL|PANIC):");
    private static final Pattern FOLLOW_UP = Pattern.compile("^(DETAIL|HINT):");
    /** "2025-05-22 11:23:45.678 UTC [1234] " as the default log_line_prefix writes it. */
    private static final Pattern PREFIX = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)? \\S+ \\[\\d+\\] ");

    private final Path file;

    ServerLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Creates the log if needed, rotating a large one first; the server must be stopped. */
    void prepare(ServerUser user) throws IOException {
        if (Files.exists(file) && Files.size(file) > ROTATE_AT) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(file)) {
            Files.createFile(file, FileTrees.ownerOnlyFile());
        }
        // pg_ctl, running as the server user, opens the log for appending.
        user.handOver(file);
    }

    long size() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The few lines that explain a failure, among those written since {@code offset}: the last
     * FATAL or PANIC with its DETAIL and HINT and the lines just before it (a bad setting is
     * logged at LOG level right before "configuration file contains errors"), else simply the
     * last lines. Timestamps and pids are dropped: the message is for a person, not for grep.
     */
    String explainSince(long offset, int maxLines) {
        List<String> lines = readSince(offset).lines()
                .map(line -> PREFIX.matcher(line).replaceFirst("").replaceAll("\\s+", " ").strip())
                .filter(line -> !line.isEmpty())
                .toList();
        int end = lines.size();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (FATAL.matcher(lines.get(i)).find()) {
                end = i + 1;
                while (end < lines.size() && FOLLOW_UP.matcher(lines.get(end)).find()) {
                    end++;
                }
                break;
            }
        }
        return String.join(" / ", lines.subList(Math.max(0, end - maxLines), end));
    }

    private String readSince(long offset) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(offset, in.length() - MAX_TAIL);
            if (from < 0 || from >= in.length()) {
                return "";
            }
            byte[] bytes = new byte[(int) (in.length() - from)];
            in.seek(from);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
