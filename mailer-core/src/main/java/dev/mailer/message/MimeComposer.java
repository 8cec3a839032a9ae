package dev.mailer.message;

import dev.mailer.template.HeaderText;
import dev.mailer.template.RenderedMessage;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Builds the MIME message (SPEC §7): multipart/alternative text + HTML in UTF-8 (quoted-printable
 * or base64, chosen by Jakarta Mail, so no line exceeds 998 octets), RFC 2047 headers, a unique
 * Message-ID on the sender's domain, one-click List-Unsubscribe (RFC 8058) and Feedback-ID.
 * Thread-safe.
 */
public final class MimeComposer {
    static {
        // jakarta.mail-api 2.1 looks its stream provider up through a service-loader scan for every
        // message; naming it skips the scan (upstream jakartaee/mail-api issue 861)
        if (System.getProperty("jakarta.mail.util.StreamProvider") == null) {
            System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'});
    private final Session session = Session.getInstance(new Properties());

    /** The headers and parts of one message; every text here is already clean of line breaks. */
    public record Envelope(MailboxAddress from, MailboxAddress replyTo, String toAddress, String toName,
                           String listUnsubscribeUrl, String listUnsubscribeMailto, String feedbackId,
                           String messageIdDomain) {
    }

    /** @return the Message-ID used and the message's bytes */
    public Composed compose(Envelope envelope, RenderedMessage content) {
        String messageId = "<" + randomId() + "@" + envelope.messageIdDomain() + ">";
        try {
            MimeMessage message = new FixedIdMessage(session, messageId);
            message.setFrom(address(envelope.from().address().address(), envelope.from().displayName()));
            if (envelope.replyTo() != null) {
                message.setReplyTo(new InternetAddress[] {
                        address(envelope.replyTo().address().address(), envelope.replyTo().displayName())});
            }
            message.setRecipient(MimeMessage.RecipientType.TO, address(envelope.toAddress(), envelope.toName()));
            message.setSubject(HeaderText.clean(content.subject()), "UTF-8");
            message.setSentDate(new Date());
            message.setHeader("List-Unsubscribe",
                    "<" + envelope.listUnsubscribeUrl() + ">, <mailto:" + envelope.listUnsubscribeMailto() + ">");
            message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            message.setHeader("Feedback-ID", envelope.feedbackId());

            MimeBodyPart text = part(content.text(), "plain");
            MimeBodyPart html = part(content.html(), "html");
            MimeMultipart alternative = new MimeMultipart("alternative");
            alternative.addBodyPart(text);
            alternative.addBodyPart(html);
            message.setContent(alternative);
            message.saveChanges();

            MessageBuffer out = new MessageBuffer(content.html().length() + content.text().length() + 2048);
            message.writeTo(out);
            return new Composed(messageId, out.toByteArray());
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot build the MIME message: " + e.getMessage(), e);
        }
    }

    /**
     * A body part whose content is encoded here and handed to Jakarta Mail as raw bytes. Its own
     * path (an encoding check, then an encoder stream, one byte per call) took four fifths of the
     * time of building a message.
     */
    private static MimeBodyPart part(String content, String subtype) throws MessagingException {
        String encoding = transferEncoding(content);
        byte[] utf8 = content.getBytes(StandardCharsets.UTF_8);
        byte[] body = switch (encoding) {
            case "quoted-printable" -> QuotedPrintable.encode(utf8);
            default -> BASE64.encode(utf8);
        };
        InternetHeaders headers = new InternetHeaders();
        headers.setHeader("Content-Type", "text/" + subtype + "; charset=UTF-8");
        headers.setHeader("Content-Transfer-Encoding", encoding);
        return new MimeBodyPart(headers, body);
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

    /** A composed message. */
    public record Composed(String messageId, byte[] bytes) {
    }

    private static InternetAddress address(String address, String name) throws UnsupportedEncodingException {
        InternetAddress internetAddress = new InternetAddress();
        internetAddress.setAddress(address);
        String clean = HeaderText.clean(name);
        if (clean != null && !clean.isEmpty()) {
            internetAddress.setPersonal(clean, "UTF-8");
        }
        return internetAddress;
    }

    private static String randomId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * ByteArrayOutputStream without its lock: Jakarta Mail's encoders write one byte per call, and
     * the uncontended lock on each of them was the largest cost of building a message.
     */
    private static final class MessageBuffer extends OutputStream {
        private byte[] bytes;
        private int size;

        MessageBuffer(int capacity) {
            bytes = new byte[capacity];
        }

        @Override
        public void write(int b) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (size + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + len));
            }
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }
    }

    /** Keeps our Message-ID: Jakarta Mail would otherwise put its own on the local host's name. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
