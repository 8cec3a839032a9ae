package dev.mailer.message;

import dev.mailer.template.HeaderText;
import dev.mailer.template.RenderedMessage;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Builds the MIME message (SPEC §7): multipart/alternative text + HTML in UTF-8 (quoted-printable
 * or base64, so no line exceeds 998 octets), RFC 2047 headers, a unique Message-ID on the
 * sender's domain, one-click List-Unsubscribe (RFC 8058) and Feedback-ID. Thread-safe.
 *
 * <p>The bytes are written here rather than through Jakarta Mail's MimeMessage: every message has
 * the same shape, and building and writing that object tree (header parsing and re-encoding,
 * content-type parsing, SimpleDateFormat) was a quarter of the sending threads' CPU in a
 * 100,000-message run, besides some of its slowest JIT compilations.
 */
public final class MimeComposer {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final Base64.Encoder BODY_BASE64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'});
    private static final Base64.Encoder WORD_BASE64 = Base64.getEncoder();
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ENGLISH);
    /** RFC 5322 §2.1.1: lines should stay within 78 characters; we fold where the text allows. */
    private static final int LINE = 78;
    /**
     * UTF-8 bytes per encoded-word: 42 make 56 base64 characters, a 68-character word that fits
     * after "Reply-To: " within 78 and stays under RFC 2047's 75.
     */
    private static final int WORD_BYTES = 42;
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";
    private static final String BOUNDARY_PREFIX = "----=_mailer_";

    /** The headers and parts of one message; every text here is already clean of line breaks. */
    public record Envelope(MailboxAddress from, MailboxAddress replyTo, String toAddress, String toName,
                           String listUnsubscribeUrl, String listUnsubscribeMailto, String feedbackId,
                           String messageIdDomain) {
    }

    /** A composed message. */
    public record Composed(String messageId, byte[] bytes) {
    }

    /** @return the Message-ID used and the message's bytes */
    public Composed compose(Envelope envelope, RenderedMessage content) {
        byte[] random = new byte[28];
        RANDOM.nextBytes(random);
        String messageId = "<" + HEX.formatHex(random, 0, 16) + "@" + envelope.messageIdDomain() + ">";
        // "=_" occurs in neither quoted-printable (a literal "=" is always "=XX" or a soft break)
        // nor base64, so no line of the parts can be taken for this boundary
        String boundary = BOUNDARY_PREFIX + HEX.formatHex(random, 16, 28);

        Header header = new Header();
        header.field("Date", DATE.format(ZonedDateTime.now()));
        header.address("From", envelope.from().address().address(), envelope.from().displayName());
        if (envelope.replyTo() != null) {
            header.address("Reply-To", envelope.replyTo().address().address(), envelope.replyTo().displayName());
        }
        header.address("To", envelope.toAddress(), envelope.toName());
        header.field("Message-ID", messageId);
        String subject = HeaderText.clean(content.subject());
        if (subject != null) {
            header.start("Subject");
            header.text(subject);
            header.end();
        }
        header.field("MIME-Version", "1.0");
        // one line even when long: the two URLs cannot be broken, and readers of the returned
        // original (FeedbackParser, mailbox providers' one-click handlers) get it as it was sent
        header.field("List-Unsubscribe",
                "<" + envelope.listUnsubscribeUrl() + ">, <mailto:" + envelope.listUnsubscribeMailto() + ">");
        header.field("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        header.field("Feedback-ID", envelope.feedbackId());
        header.start("Content-Type");
        header.word("multipart/alternative;");
        header.word("boundary=\"" + boundary + "\"");
        header.end();
        header.end();

        String text = content.text();
        String html = content.html();
        String textEncoding = transferEncoding(text);
        String htmlEncoding = transferEncoding(html);
        return new Composed(messageId, concat(
                header.toBytes(),
                ascii("--" + boundary + "\r\n" + partHeader("plain", textEncoding)),
                encode(text, textEncoding),
                ascii("\r\n--" + boundary + "\r\n" + partHeader("html", htmlEncoding)),
                encode(html, htmlEncoding),
                ascii("\r\n--" + boundary + "--\r\n")));
    }

    /** Quoted-printable when most characters are ASCII (Polish, Serbian, English text, HTML); else base64. */
    static String transferEncoding(String content) {
        int nonAscii = 0;
        for (int i = 0; i < content.length(); i++) {
            if (content.charAt(i) >= 128) {
                nonAscii++;
            }
        }
        return nonAscii * 3 < content.length() ? "quoted-printable" : "base64";
    }

    private static String partHeader(String subtype, String encoding) {
        return "Content-Type: text/" + subtype + "; charset=UTF-8\r\nContent-Transfer-Encoding: " + encoding
                + "\r\n\r\n";
    }

    private static byte[] encode(String content, String encoding) {
        byte[] utf8 = content.getBytes(StandardCharsets.UTF_8);
        return encoding.equals("quoted-printable") ? QuotedPrintable.encode(utf8) : BODY_BASE64.encode(utf8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The pieces in one array of exactly their size: nothing is copied twice or grown. */
    private static byte[] concat(byte[]... pieces) {
        int size = 0;
        for (byte[] piece : pieces) {
            size += piece.length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] piece : pieces) {
            System.arraycopy(piece, 0, out, at, piece.length);
            at += piece.length;
        }
        return out;
    }

    /**
     * Header fields, folded as they are written (RFC 5322 §2.2.3): a CRLF goes before the space
     * that precedes a word when the word would take the line past {@link #LINE}, so unfolding
     * gives back the value exactly. A field's first word is never moved to a line of its own.
     */
    private static final class Header {
        private final StringBuilder out = new StringBuilder(1024);
        private int lineStart;
        private boolean firstWord;

        void field(String name, String value) {
            start(name);
            word(value);
            end();
        }

        void start(String name) {
            out.append(name).append(':');
            firstWord = true;
        }

        void word(String word) {
            if (!firstWord && out.length() - lineStart + 1 + word.length() > LINE) {
                out.append("\r\n");
                lineStart = out.length();
            }
            out.append(' ').append(word);
            firstWord = false;
        }

        void end() {
            out.append("\r\n");
            lineStart = out.length();
        }

        /** {@code Name <address>}, or the address alone when there is no name, as Jakarta Mail wrote it. */
        void address(String field, String address, String displayName) {
            start(field);
            String name = HeaderText.clean(displayName);
            if (name == null || name.isEmpty()) {
                word(address);
            } else {
                phrase(name);
                word("<" + address + ">");
            }
            end();
        }

        /** A display name: atoms when it can be, else a quoted-string, else encoded-words. */
        private void phrase(String name) {
            if (needsEncoding(name)) {
                encodedWords(name);
                return;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (!(c == ' ' || Character.isLetterOrDigit(c) || ATEXT_SPECIALS.indexOf(c) >= 0)) {
                    word("\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
                    return;
                }
            }
            text(name);
        }

        /** Text already clean (single spaces, none at the ends), so splitting at spaces loses nothing. */
        void text(String text) {
            if (needsEncoding(text)) {
                encodedWords(text);
                return;
            }
            int from = 0;
            for (int space; (space = text.indexOf(' ', from)) >= 0; from = space + 1) {
                word(text.substring(from, space));
            }
            word(text.substring(from));
        }

        /**
         * RFC 2047 B words of whole UTF-8 sequences each: a word may not end inside a character
         * (§5), and decoders turn each word into text on its own. The spaces between the words
         * are not part of the text (§6.2).
         */
        private void encodedWords(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            for (int start = 0; start < utf8.length; ) {
                int end = Math.min(start + WORD_BYTES, utf8.length);
                while (end < utf8.length && (utf8[end] & 0xC0) == 0x80) {
                    end--;
                }
                word("=?UTF-8?B?" + WORD_BASE64.encodeToString(Arrays.copyOfRange(utf8, start, end)) + "?=");
                start = end;
            }
        }

        /** Non-ASCII text, or ASCII that a reader would take for an encoded-word. */
        private static boolean needsEncoding(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) >= 128) {
                    return true;
                }
            }
            return text.contains("=?");
        }

        /** UTF-8: addresses may have a non-ASCII local part (SMTPUTF8); everything else here is ASCII. */
        byte[] toBytes() {
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
