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
    private static final Pattern IMPORTANT = Pattern.compile("\\b(FATAL|PANIC|ERROR|DETAIL|HINT):");

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
     * The last few lines that explain a failure, among those written since {@code offset}:
     * FATAL/ERROR lines and their DETAIL/HINT when there are some, else simply the last lines.
     */
    String explainSince(long offset, int maxLines) {
        List<String> lines = readSince(offset).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        List<String> important = lines.stream().filter(l -> IMPORTANT.matcher(l).find()).toList();
        List<String> chosen = important.isEmpty() ? lines : important;
        return String.join(" / ", chosen.subList(Math.max(0, chosen.size() - maxLines), chosen.size()));
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
