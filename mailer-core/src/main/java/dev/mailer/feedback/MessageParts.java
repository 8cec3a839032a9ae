package dev.mailer.feedback;

import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePartDataSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pieces of a feedback message that matter, found by walking its MIME tree once: the
 * human-readable text, the machine-readable delivery-status or feedback-report part, and the
 * headers of the returned original message (attached, or quoted inline after a marker line).
 *
 * <p>Bounded so that hostile input costs little: at most {@value #MAX_PARTS} parts and
 * {@value #MAX_DEPTH} levels are visited and at most {@value #MAX_TEXT} characters are kept of any
 * text. Never descends into the returned message: a bounce of a bounce is still one bounce.
 */
final class MessageParts {
    static final int MAX_DEPTH = 8;
    static final int MAX_PARTS = 64;
    static final int MAX_TEXT = 128 * 1024;
    private static final Pattern CHARSET = Pattern.compile("(?i)charset\\s*=\\s*\"?([^\";\\s]+)");
    private static final Pattern TYPE_END = Pattern.compile("[;\\s]");
    private static final Pattern DSN_AS_TEXT = Pattern.compile("(?im)^(final|original)-recipient:");
    private static final Charset ISO_2022_JP = Charset.forName("ISO-2022-JP");
    /** What 8-bit text under an ISO-2022-JP label really is, most telling first. */
    private static final Charset[] EIGHT_BIT_JAPANESE = {StandardCharsets.UTF_8, Charset.forName("EUC-JP"),
            Charset.forName("Shift_JIS")};
    static final Pattern HEADER_LINE = Pattern.compile("(?m)^[A-Za-z][A-Za-z0-9-]{1,40}:[ \\t]");

    private final MimeMessage message;
    private final StringBuilder readable = new StringBuilder();
    private final StringBuilder html = new StringBuilder();
    private final StringBuilder deliveryStatus = new StringBuilder();
    private final StringBuilder feedbackReport = new StringBuilder();
    private InternetHeaders returned;
    private String returnedSource;
    private byte[] returnedBytes;
    private int partsSeen;
    private String readableText;
    private String readableLower;

    private MessageParts(MimeMessage message) {
        this.message = message;
    }

    /** Walks the message; never throws for malformed MIME: what cannot be read is skipped. */
    static MessageParts of(MimeMessage message) {
        MessageParts parts = new MessageParts(message);
        parts.visit(message, 0, false);
        parts.finish();
        return parts;
    }

    /** The human-readable text without any copy of the returned message; may be empty. */
    String readable() {
        if (readableText == null) {
            readableText = readable.toString();
        }
        return readableText;
    }

    /** {@link #readable()} in lower case, for phrase matching. */
    String readableLowerCase() {
        if (readableLower == null) {
            readableLower = readable().toLowerCase(Locale.ROOT);
        }
        return readableLower;
    }

    /** The delivery-status fields, or null when the message has no such part. */
    String deliveryStatus() {
        return deliveryStatus.isEmpty() ? null : deliveryStatus.toString();
    }

    /** The feedback-report fields, or null when the message has no such part. */
    String feedbackReport() {
        return feedbackReport.isEmpty() ? null : feedbackReport.toString();
    }

    /** A header of the returned message, or null. */
    String returnedHeader(String name) {
        if (returned == null) {
            return null;
        }
        return returned.getHeader(name, ", ");
    }

    /** The feedback message's subject, decoded; null when it has none. */
    String subject() {
        try {
            return message.getSubject();
        } catch (MessagingException | RuntimeException e) {
            return header("Subject");
        }
    }

    /** A header of the feedback message itself, or null. */
    String header(String name) {
        try {
            return message.getHeader(name, ", ");
        } catch (MessagingException e) {
            return null;
        }
    }

    private void visit(Part part, int depth, boolean afterFirstPart) {
        if (++partsSeen > MAX_PARTS || depth > MAX_DEPTH) {
            return;
        }
        String type = baseType(part);
        try {
            if (type.startsWith("multipart/")) {
                visitMultipart(part, type, depth);
            } else if (type.endsWith("delivery-status")) {
                append(deliveryStatus, text(part));
            } else if (type.equals("message/feedback-report")) {
                append(feedbackReport, text(part));
            } else if (type.equals("message/rfc822") || type.equals("message/global")
                    || type.endsWith("rfc822-headers") || type.equals("message/partial")) {
                keepReturned(part);
            } else if (type.equals("text/plain") || type.equals("text/enriched")) {
                String text = text(part);
                if (afterFirstPart && DSN_AS_TEXT.matcher(text).find()) {
                    append(deliveryStatus, text); // delivery-status fields sent as text/plain
                } else if (afterFirstPart && looksLikeHeaders(text)) {
                    keepReturnedText(text);
                } else {
                    append(readable, text);
                }
            } else if (type.equals("text/html")) {
                append(html, Html.toText(text(part)));
            }
        } catch (MessagingException | IOException | RuntimeException e) {
            // a part that cannot be read is as good as absent
        }
    }

    private void visitMultipart(Part part, String type, int depth) throws MessagingException {
        MimeMultipart multipart = new MimeMultipart(new MimePartDataSource((jakarta.mail.internet.MimePart) part));
        int count = partCount(multipart);
        if (count == 0) {
            // declared multipart, but the body has no boundary lines (some PMDF/Sun Messaging
            // Server reports): the whole body is the report's text
            append(readable, unsplitBody(part));
            return;
        }
        // after the first part of a report (or of a mixed bounce), a text part that starts with
        // headers is the returned message sent as text
        boolean copyMayFollow = type.equals("multipart/report") || type.equals("multipart/mixed");
        boolean alternative = type.equals("multipart/alternative");
        boolean plainSeen = false;
        for (int i = 0; i < count; i++) {
            Part child = multipart.getBodyPart(i);
            if (alternative) {
                // one rendering is enough: the plain one when there is one
                String childType = baseType(child);
                if (childType.equals("text/html") && (plainSeen || hasPlainAlternative(multipart, count))) {
                    continue;
                }
                plainSeen |= childType.equals("text/plain");
            }
            visit(child, depth + 1, copyMayFollow && i > 0);
        }
    }

    /** The number of parts, at most {@value #MAX_PARTS}; 0 when the body does not split into parts. */
    private static int partCount(MimeMultipart multipart) {
        try {
            return Math.min(multipart.getCount(), MAX_PARTS);
        } catch (MessagingException e) {
            return 0; // "missing start boundary"
        }
    }

    private static boolean hasPlainAlternative(MimeMultipart multipart, int count) throws MessagingException {
        for (int i = 0; i < count; i++) {
            if (baseType(multipart.getBodyPart(i)).equals("text/plain")) {
                return true;
            }
        }
        return false;
    }

    private void keepReturned(Part part) throws MessagingException, IOException {
        if (returned != null) {
            return;
        }
        try (InputStream in = part.getInputStream()) {
            byte[] head = in.readNBytes(MAX_TEXT);
            returnedSource = new String(head, StandardCharsets.UTF_8);
            returnedBytes = head;
            returned = new InternetHeaders(new ByteArrayInputStream(head));
        }
    }

    private void keepReturnedText(String text) {
        if (returned == null) {
            returnedSource = text;
            returned = headersOf(text);
            if (returned != null) {
                Matcher first = HEADER_LINE.matcher(text);
                returnedBytes = first.find() ? text.substring(first.start()).getBytes(StandardCharsets.UTF_8) : null;
            }
        }
    }

    /**
     * Without an attached copy, looks for one quoted inline after a marker line ("--- Below this
     * line is a copy of the message.") and cuts it off the readable text, so that addresses in the
     * copy's headers are never taken for failed recipients. HTML is used only when the message
     * has no plain text at all.
     */
    private void finish() {
        if (readable.toString().isBlank() && !html.isEmpty()) {
            readable.setLength(0);
            readable.append(html);
        }
        if (readable.isEmpty()) {
            return;
        }
        QuotedCopy.Cut cut = QuotedCopy.find(readable);
        if (cut != null) {
            String copy = readable.substring(cut.copyStart());
            readable.setLength(cut.textEnd());
            if (returned == null) {
                keepReturnedText(copy);
            }
        }
    }

    /** Headers from text that starts (after a few lines at most) with a header block. */
    private static InternetHeaders headersOf(String text) {
        Matcher first = HEADER_LINE.matcher(text);
        if (!first.find() || first.start() > 2000) {
            return null;
        }
        byte[] bytes = text.substring(first.start()).getBytes(StandardCharsets.UTF_8);
        try {
            return new InternetHeaders(new ByteArrayInputStream(bytes));
        } catch (MessagingException e) {
            return null;
        }
    }

    private static boolean looksLikeHeaders(String text) {
        String head = text.stripLeading();
        Matcher first = HEADER_LINE.matcher(head);
        return first.find() && first.start() == 0;
    }

    /**
     * The returned message as found (attached, or quoted inline from its header block on), or
     * null: what a forwarded bounce carries is itself a bounce.
     */
    byte[] returnedMessage() {
        return returnedBytes;
    }

    /** The raw text of the returned message as found, or null: scanned for our tokens. */
    String returnedSource() {
        return returnedSource;
    }

    /** "Text/Plain; charset=…" → "text/plain"; text/plain for a missing or broken header. */
    static String baseType(Part part) {
        String value;
        try {
            String[] values = part.getHeader("Content-Type");
            value = values == null || values.length == 0 ? null : values[0];
        } catch (MessagingException e) {
            value = null;
        }
        if (value == null || value.isBlank()) {
            return "text/plain";
        }
        // the type ends at the first ';' or blank: some systems forget the ';' before charset=
        String base = TYPE_END.split(value.strip(), 2)[0].toLowerCase(Locale.ROOT);
        return base.indexOf('/') > 0 ? base : "text/plain";
    }

    /** The decoded text of a part, at most {@value #MAX_TEXT} characters. */
    static String text(Part part) throws MessagingException, IOException {
        byte[] bytes;
        try (InputStream in = part.getInputStream()) {
            bytes = in.readNBytes(MAX_TEXT);
        }
        Charset charset = charset(part);
        if ((charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII))
                && hasJisEscape(bytes)) {
            charset = ISO_2022_JP; // Japanese text in a part that names no charset (a DSN's Diagnostic-Code)
        } else if (charset.equals(ISO_2022_JP) && hasEightBit(bytes)) {
            // ISO-2022-JP is 7-bit: 8-bit bytes under that label are UTF-8, EUC-JP or Shift_JIS
            // (Japanese carriers label their notices so)
            for (Charset japanese : EIGHT_BIT_JAPANESE) {
                String decoded = strictly(bytes, japanese);
                if (decoded != null) {
                    return decoded;
                }
            }
        }
        return new String(bytes, charset);
    }

    private static boolean hasEightBit(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    /** The bytes decoded, or null when they are not valid in that charset. */
    private static String strictly(byte[] bytes, Charset charset) {
        try {
            return charset.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /**
     * True when 7-bit text switches to JIS X 0208 the way ISO-2022-JP does (ESC $ B, ESC $ @): the
     * part is Japanese whatever its Content-Type says, and its wording is only readable decoded.
     */
    static boolean hasJisEscape(byte[] bytes) {
        for (int i = 0; i + 2 < bytes.length; i++) {
            if (bytes[i] == 0x1b && bytes[i + 1] == '$' && (bytes[i + 2] == 'B' || bytes[i + 2] == '@')) {
                return true;
            }
        }
        return false;
    }

    /** The body of a multipart that did not split into parts, as text. */
    private static String unsplitBody(Part part) {
        try (InputStream in = rawBody(part)) {
            return in == null ? null : new String(in.readNBytes(MAX_TEXT), StandardCharsets.UTF_8);
        } catch (MessagingException | IOException | RuntimeException e) {
            return null;
        }
    }

    private static InputStream rawBody(Part part) throws MessagingException {
        if (part instanceof jakarta.mail.internet.MimeMessage message) {
            return message.getRawInputStream();
        }
        if (part instanceof jakarta.mail.internet.MimeBodyPart bodyPart) {
            return bodyPart.getRawInputStream();
        }
        return null;
    }

    private static Charset charset(Part part) {
        try {
            String[] values = part.getHeader("Content-Type");
            if (values != null && values.length > 0) {
                Matcher m = CHARSET.matcher(values[0]);
                if (m.find()) {
                    return Charset.forName(jakarta.mail.internet.MimeUtility.javaCharset(m.group(1)));
                }
            }
        } catch (MessagingException | RuntimeException e) {
            // unknown or illegal charset name: fall through
        }
        return StandardCharsets.UTF_8;
    }

    private static void append(StringBuilder target, String text) {
        if (text == null || text.isEmpty() || target.length() >= MAX_TEXT) {
            return;
        }
        if (!target.isEmpty()) {
            target.append('\n');
        }
        target.append(text, 0, Math.min(text.length(), MAX_TEXT - target.length()));
    }
}
