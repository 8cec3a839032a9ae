package dev.mailer.contacts;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Stops a CSV record from growing without bound: a quote left open in a 2 GB file would
 * otherwise be buffered whole by the parser. The reader is told when each record ends.
 */
final class RecordSizeGuard extends FilterReader {
    static final long LIMIT = 16L * 1024 * 1024;
    private long sinceRecord;

    RecordSizeGuard(Reader in) {
        super(in);
    }

    void recordEnded() {
        sinceRecord = 0;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
            count(1);
        }
        return c;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) throws IOException {
        sinceRecord += n;
        if (sinceRecord > LIMIT) {
            throw new RecordTooLargeException();
        }
    }

    static final class RecordTooLargeException extends IOException {
        RecordTooLargeException() {
            super("a record is larger than " + (LIMIT / 1024 / 1024) + " MB");
        }
    }
}
