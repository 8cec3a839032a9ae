package dev.mailer.cli;

import dev.mailer.error.SecretMask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * An output stream that passes everything on with the secrets masked ({@link SecretMask}): standard
 * output and error of every command, so results, sentences, {@code --json}, {@code --verbose}
 * stack traces and library log lines alike. Text is held back until the end of its line ('\n' or
 * '\r') or a flush, so that a password written in several pieces is still seen whole.
 */
final class ScrubbedOutput extends OutputStream {
    /** A line longer than this is passed on in pieces (a huge JSON document on one line). */
    private static final int MAX_HELD = 1 << 20;

    private final OutputStream target;
    private final SecretMask mask;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream(256);

    ScrubbedOutput(OutputStream target, SecretMask mask) {
        this.target = target;
        this.mask = mask;
    }

    /**
     * A UTF-8 print stream over {@code target} that masks the secrets and passes each line on as it
     * ends. Not auto-flushing: a PrintStream that is flushes at every print, and a password printed in
     * pieces would be passed on in pieces; {@link #flush()} passes on a partial line (a prompt, a
     * progress bar).
     */
    static PrintStream printStream(OutputStream target, SecretMask mask) {
        return new PrintStream(new ScrubbedOutput(target, mask), false, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) throws IOException {
        held.write(b);
        if (b == '\n' || b == '\r' || held.size() >= MAX_HELD) {
            pass();
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                held.write(bytes, start, i + 1 - start);
                start = i + 1;
                pass();
            }
        }
        held.write(bytes, start, end - start);
        if (held.size() >= MAX_HELD) {
            pass();
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        pass();
        target.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        target.close();
    }

    private void pass() throws IOException {
        if (held.size() == 0) {
            return;
        }
        byte[] line = held.toByteArray();
        held.reset();
        target.write(mask.scrubBytes(line, 0, line.length));
    }
}
