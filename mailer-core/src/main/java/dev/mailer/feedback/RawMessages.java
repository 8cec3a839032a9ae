package dev.mailer.feedback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** Getting raw message bytes into a shape the MIME parser reads well, and hashing them. */
final class RawMessages {
    private RawMessages() {
    }

    /**
     * At most {@code max} bytes; without an mbox "From " separator line or leading blank lines
     * (either would end the header block at once); with bare CR line ends (old Mac files) turned
     * into LF. Returns the input itself when nothing needs changing.
     */
    static byte[] prepare(byte[] raw, int max) {
        int start = 0;
        int end = Math.min(raw.length, max);
        if (startsWith(raw, start, "From ")) {
            while (start < end && raw[start] != '\n' && raw[start] != '\r') {
                start++;
            }
        }
        while (start < end && (raw[start] == '\r' || raw[start] == '\n' || raw[start] == ' ' || raw[start] == '\t')) {
            start++;
        }
        boolean bareCr = false;
        for (int i = start; i < end && !bareCr; i++) {
            bareCr = raw[i] == '\r' && (i + 1 >= end || raw[i + 1] != '\n');
        }
        if (!bareCr) {
            return start == 0 && end == raw.length ? raw : Arrays.copyOfRange(raw, start, end);
        }
        byte[] out = Arrays.copyOfRange(raw, start, end);
        for (int i = 0; i < out.length; i++) {
            if (out[i] == '\r' && (i + 1 >= out.length || out[i + 1] != '\n')) {
                out[i] = '\n';
            }
        }
        return out;
    }

    /** "sha256:" and the hex SHA-256 of the bytes. */
    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime lacks SHA-256", e);
        }
    }

    /** The first {@code max} bytes as ISO-8859-1 text: every byte one char, for scanning. */
    static String latin1(byte[] bytes, int max) {
        return new String(bytes, 0, Math.min(bytes.length, max), StandardCharsets.ISO_8859_1);
    }

    private static boolean startsWith(byte[] raw, int at, String prefix) {
        if (raw.length - at < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (raw[at + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
