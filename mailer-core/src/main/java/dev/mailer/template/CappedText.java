package dev.mailer.template;

import java.io.IOException;
import java.io.Writer;

/**
 * Where a template writes one part of a message: text kept in memory up to what is left of the
 * message's size budget, counted in UTF-8 bytes as it is written. The write that would pass the cap
 * throws {@link CapReached}, so a loop without end stops there rather than filling memory. Without
 * StringBuffer's lock on every write: templates write in many small pieces.
 */
final class CappedText extends Writer {
    /** What is left for the rest of one message: subject, HTML and text share it. */
    static final class Budget {
        private final long cap;
        private long used;

        Budget(long cap) {
            this.cap = cap;
        }
    }

    /** The cap was reached: thrown from the template's write, caught by the one rendering it. */
    static final class CapReached extends IOException {
        CapReached() {
            super("max-message-size reached", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final Budget budget;
    private StringBuilder text = new StringBuilder(8192);

    CappedText(Budget budget) {
        this.budget = budget;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        spend(chars, offset, length);
        text.append(chars, offset, length);
    }

    @Override
    public void write(String string) throws IOException {
        spend(string, 0, string.length());
        text.append(string);
    }

    @Override
    public void write(String string, int offset, int length) throws IOException {
        spend(string, offset, length);
        text.append(string, offset, offset + length);
    }

    @Override
    public void write(int c) throws IOException {
        spend(String.valueOf((char) c), 0, 1);
        text.append((char) c);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** Lets go of the text now (after running out of memory, before anything else needs it). */
    void discard() {
        text = new StringBuilder();
    }

    @Override
    public String toString() {
        return text.toString();
    }

    private void spend(CharSequence chars, int offset, int length) throws CapReached {
        long bytes = 0;
        for (int i = offset; i < offset + length; i++) {
            bytes += utf8Length(chars.charAt(i));
        }
        spend(bytes);
    }

    private void spend(char[] chars, int offset, int length) throws CapReached {
        long bytes = 0;
        for (int i = offset; i < offset + length; i++) {
            bytes += utf8Length(chars[i]);
        }
        spend(bytes);
    }

    private void spend(long bytes) throws CapReached {
        if (budget.used + bytes > budget.cap) {
            budget.used = budget.cap;
            throw new CapReached();
        }
        budget.used += bytes;
    }

    /** A surrogate counts 2, so that a pair counts the 4 bytes it takes. */
    private static int utf8Length(char c) {
        return c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }

    /** Whether a template failure was the cap, reached inside a directive that wrapped it. */
    static boolean reachedIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CapReached) {
                return true;
            }
        }
        return false;
    }

    /** A size as mailer.yaml writes it: 10 MB, 64 KB, 1500 bytes. */
    static String size(long bytes) {
        if (bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MB";
        }
        return bytes % 1024 == 0 ? bytes / 1024 + " KB" : bytes + " bytes";
    }
}
