package dev.mailer.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Quoted-printable (RFC 2045 §6.7) for UTF-8 text bodies, array in, array out. Jakarta Mail's
 * encoder streams write one byte per call and made up most of the cost of building a message;
 * this loop does the same encoding without them. Line breaks in the text become CRLF; encoded
 * lines are at most 76 characters (soft breaks "=" CRLF); spaces before a line break are encoded.
 */
final class QuotedPrintable {
    private static final int MAX_LINE = 76;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final boolean[] LITERAL = new boolean[256];

    static {
        for (int b = 33; b <= 126; b++) {
            LITERAL[b] = b != '=';
        }
    }

    private QuotedPrintable() {
    }

    static byte[] encode(byte[] in) {
        // worst case: every byte as =XX, plus a soft break per 25 such bytes, 
        byte[] out = new byte[in.length * 3 + (in.length / 25 + 1) * 3];
        int size = 0;
        int column = 0;
        int length = in.length;
        for (int i = 0; i < length; i++) {
            int b = in[i] & 0xff;
            if (b == '\n' || b == '\r') {
                if (b == '\r' && i + 1 < length && in[i + 1] == '\n') {
                    i++;
                }
                out[size++] = '\r';
                out[size++] = '\n';
                column = 0;
                continue;
            }
            boolean literal = LITERAL[b];
            boolean endOfLine = false;
            if (!literal && (b == ' ' || b == '\t')) {
                endOfLine = i + 1 == length || in[i + 1] == '\n' || in[i + 1] == '\r';
                literal = !endOfLine;
            } else if (column >= MAX_LINE - 4) {
                endOfLine = i + 1 == length || in[i + 1] == '\n' || in[i + 1] == '\r';
            }
            int width = literal ? 1 : 3;
            // leave room for the soft break's "=" unless this is the line's last character
            if (column + width > (endOfLine ? MAX_LINE : MAX_LINE - 1)) {
                out[size++] = '=';
                out[size++] = '\r';
                out[size++] = '\n';
                column = 0;
            }
            if (literal) {
                out[size++] = (byte) b;
            } else {
                out[size++] = '=';
                out[size++] = HEX[b >> 4];
                out[size++] = HEX[b & 0xf];
            }
            column += width;
        }
        return Arrays.copyOf(out, size);
    }
}
