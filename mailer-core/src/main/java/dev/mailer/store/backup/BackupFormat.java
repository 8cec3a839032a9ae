package dev.mailer.store.backup;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/**
 * The layout of a backup file, inside one gzip stream; every line ends with {@code \n}:
 *
 * <pre>
 *   mailer-backup 1                         the magic line, with the format version
 *   {"format": "mailer-backup", …}          the manifest ({@link BackupManifest}), one line of JSON
 *   table contact                           then for each table of the manifest, in its order:
 *   65536                                     its data as COPY … (format csv) writes it, in chunks:
 *   &lt;65536 bytes&gt;                              the chunk's length on a line, then its bytes
 *   …
 *   0                                         a chunk of length 0 ends the table
 *   end                                     after the last table; nothing may follow
 * </pre>
 *
 * Chunks rather than one stream per table because CSV rows may hold line breaks: only a length
 * tells where a table's data ends. The data needs no escaping, and {@code zcat FILE | head -2}
 * shows what a file holds.
 */
final class BackupFormat {
    static final String MAGIC = "mailer-backup";
    static final int VERSION = 1;
    static final String TABLE = "table ";
    static final String END = "end";
    /** The size of the chunks written; larger ones are read (another writer may choose so), up to {@link #MAX_CHUNK}. */
    static final int CHUNK = 1 << 16;
    static final int MAX_CHUNK = 1 << 24;
    /** The longest line but the manifest's. */
    static final int MAX_LINE = 1024;
    static final int MAX_MANIFEST = 1 << 22;

    private BackupFormat() {
    }

    static void writeLine(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads one line (without its {@code \n}) of at most {@code max} bytes.
     *
     * @throws EOFException when the stream ends first
     * @throws Malformed    when the line is longer
     */
    static String readLine(InputStream in, int max) throws IOException {
        byte[] line = new byte[Math.min(max, 256)];
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the file ends in the middle of a line");
            }
            if (b == '\n') {
                return new String(line, 0, length, StandardCharsets.UTF_8);
            }
            if (length == max) {
                throw new Malformed("a line longer than " + max + " bytes");
            }
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, Math.min(max, line.length * 2));
            }
            line[length++] = (byte) b;
        }
    }

    /**
     * Reads the next chunk's length line, then its bytes into {@code buffer} (at least
     * {@link #MAX_CHUNK} long); returns the length, 0 at the end of the table.
     */
    static int readChunk(InputStream in, byte[] buffer) throws IOException {
        String line = readLine(in, 16);
        int length;
        try {
            length = Integer.parseInt(line);
        } catch (NumberFormatException e) {
            throw new Malformed("'" + line + "' where the length of a chunk belongs");
        }
        if (length < 0 || length > MAX_CHUNK || !line.equals(Integer.toString(length))) {
            throw new Malformed("a chunk length of " + line);
        }
        int read = in.readNBytes(buffer, 0, length);
        if (read < length) {
            throw new EOFException("the file ends in the middle of a table's data");
        }
        return length;
    }

    /** The structure of the file is not a backup's: a line or a chunk that does not belong where it is. */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    /**
     * One table's data as it comes from {@code COPY … TO STDOUT}, written as chunks; {@link #end()}
     * writes the last, empty one. Closing does not close the stream underneath.
     */
    static final class ChunkedOutput extends OutputStream {
        private final OutputStream out;
        private final LongConsumer written;
        private final byte[] buffer = new byte[CHUNK];
        private int filled;
        private long total;

        /** @param written told the table's bytes so far after each chunk */
        ChunkedOutput(OutputStream out, LongConsumer written) {
            this.out = out;
            this.written = written;
        }

        @Override
        public void write(int b) throws IOException {
            if (filled == buffer.length) {
                emit();
            }
            buffer[filled++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                if (filled == buffer.length) {
                    emit();
                }
                int n = Math.min(length, buffer.length - filled);
                System.arraycopy(bytes, offset, buffer, filled, n);
                filled += n;
                offset += n;
                length -= n;
            }
        }

        private void emit() throws IOException {
            if (filled > 0) {
                writeLine(out, Integer.toString(filled));
                out.write(buffer, 0, filled);
                total += filled;
                filled = 0;
                written.accept(total);
            }
        }

        /** Writes what is buffered and the end of the table; returns the table's data bytes. */
        long end() throws IOException {
            emit();
            writeLine(out, "0");
            return total;
        }
    }
}
