package dev.mailer.message;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.james.jdkim.api.BodyHasher;
import org.apache.james.jdkim.api.Headers;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.FailException;

/**
 * DKIM-signs outgoing messages (RFC 6376; SPEC §2 {@code dkim:}): rsa-sha256, relaxed/relaxed,
 * over the headers in {@link #SIGNED_HEADERS} that the message has, with From signed once more
 * than it occurs so that a From added on the way breaks the signature.
 *
 * <p>Canonicalization, body hash and the signature itself are Apache James jDKIM's
 * ({@code org.apache.james.jdkim.DKIMSigner}, used through its {@code sign(Headers, BodyHasher)}
 * entry, which needs no MIME parser); the RSA operation is the JDK's. This class only splits the
 * message into header fields and body, chooses the signed headers and folds the result.
 *
 * <p>Thread-safe and immutable: load one per campaign and share it between sending threads.
 * Each call does one RSA-2048 private-key operation, which dominates its cost.
 */
public final class DkimSigner {

    /** Signed when present, lower case, in this order. */
    public static final List<String> SIGNED_HEADERS = List.of(
            "from", "to", "subject", "date", "message-id", "reply-to", "list-unsubscribe",
            "list-unsubscribe-post", "feedback-id", "mime-version", "content-type");

    private static final int MIN_KEY_BITS = 1024;
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern SELECTOR = Pattern.compile(
            "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*");
    private static final byte[] CRLF = {'\r', '\n'};
    /** The folded signature's lines stay within this many characters where the tags allow. */
    private static final int FOLD_WIDTH = 76;

    private final String domain;
    private final String selector;
    private final org.apache.james.jdkim.DKIMSigner signer;

    private DkimSigner(String domain, String selector, PrivateKey key) {
        this.domain = domain;
        this.selector = selector;
        // the template given here is used only by jDKIM's sign(InputStream), which is not called
        this.signer = new org.apache.james.jdkim.DKIMSigner("", key);
    }

    /**
     * @param domain             the signing domain ({@code d=})
     * @param selector           the selector ({@code s=}): the public key is published at
     *                           {@code SELECTOR._domainkey.DOMAIN}
     * @param pkcs8PemPrivateKey an unencrypted RSA private key, PKCS#8 PEM
     *                           ({@code -----BEGIN PRIVATE KEY-----})
     * @throws MailerException (usage) for an invalid domain or selector, or a key file that is
     *                         missing, unreadable, not PKCS#8 PEM, or not an RSA key of at least
     *                         1024 bits; the message names the file, never the key
     */
    public static DkimSigner load(String domain, String selector, Path pkcs8PemPrivateKey) {
        Objects.requireNonNull(pkcs8PemPrivateKey, "pkcs8PemPrivateKey");
        if (domain == null || !DOMAIN.matcher(domain).matches()) {
            throw MailerException.of(ErrorKind.CONFIG, "dkim: domain must be a domain name such as example.com.");
        }
        if (selector == null || !SELECTOR.matcher(selector).matches()) {
            throw MailerException.of(ErrorKind.CONFIG, "dkim: selector must be a DNS label such as mail2026.");
        }
        Path file = pkcs8PemPrivateKey;
        byte[] content;
        try {
            if (Files.isDirectory(file)) {
                throw MailerException.of(ErrorKind.CONFIG, "The DKIM private key " + file + " is a directory, not a key file.");
            }
            if (Files.size(file) > 64 * 1024) {
                throw notPkcs8(file, "it is far too large for a private key");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The DKIM private key file " + file + " does not exist.");
        } catch (AccessDeniedException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The DKIM private key file " + file
                    + " cannot be read (permission denied) by the user running mailer.");
        } catch (IOException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The DKIM private key file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ").");
        }
        try {
            return new DkimSigner(domain.toLowerCase(Locale.ROOT), selector, parseKey(file, content));
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    private static PrivateKey parseKey(Path file, byte[] content) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            throw notPkcs8(file, "it is a PKCS#1 (\"BEGIN RSA PRIVATE KEY\") key; convert it with"
                    + " `openssl pkcs8 -topk8 -nocrypt -in OLD.pem -out NEW.pem`");
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw notPkcs8(file, "it is encrypted; mailer needs an unencrypted key file readable only by its user");
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = text.indexOf(begin);
        int to = from < 0 ? -1 : text.indexOf(end, from + begin.length());
        if (from < 0 || to < 0) {
            throw notPkcs8(file, "it has no \"-----BEGIN PRIVATE KEY-----\" block");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to).strip());
        } catch (IllegalArgumentException e) {
            throw notPkcs8(file, "its PEM block is not valid base64");
        }
        try {
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            if (!(key instanceof RSAPrivateKey) || ((RSAPrivateKey) key).getModulus().bitLength() < MIN_KEY_BITS) {
                throw MailerException.of(ErrorKind.CONFIG, "The DKIM private key " + file + " is too weak: DKIM needs an RSA key"
                        + " of at least " + MIN_KEY_BITS + " bits (2048 recommended).");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The DKIM private key " + file + " is not an RSA private key in PKCS#8"
                    + " (only rsa-sha256 is supported; create one with"
                    + " `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out KEY.pem`).");
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    private static MailerException notPkcs8(Path file, String why) {
        return MailerException.of(ErrorKind.CONFIG, "The DKIM private key " + file + " is not a PKCS#8 PEM private key: " + why + ".");
    }

    public String domain() {
        return domain;
    }

    public String selector() {
        return selector;
    }

    /**
     * @param message a complete RFC 5322 message with CRLF line ends, such as
     *                {@code MimeMessage.writeTo} writes (bare LF or CR are turned into CRLF
     *                first, as the relays would)
     * @return the message with a {@code DKIM-Signature} header field prepended
     * @throws MailerException (internal) for a message without a From header field or with
     *                         non-ASCII bytes in its header, which a message built by mailer
     *                         never has
     */
    public byte[] sign(byte[] message) {
        byte[] msg = toCrlf(Objects.requireNonNull(message, "message"));
        int bodyStart = bodyStart(msg);
        FieldList fields = FieldList.parse(msg, bodyStart < 0 ? msg.length : bodyStart - 2);

        StringBuilder h = new StringBuilder();
        for (String name : SIGNED_HEADERS) {
            int count = fields.getFields(name).size() + (name.equals("from") ? 1 : 0);
            for (int i = 0; i < count; i++) {
                h.append(h.length() == 0 ? "" : ":").append(name);
            }
        }
        if (fields.getFields("from").isEmpty()) {
            throw new MailerException(ErrorKind.INTERNAL, "cannot DKIM-sign a message without a From header");
        }
        String template = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + domain + "; s=" + selector
                + "; t=" + Instant.now().getEpochSecond() + "; h=" + h + "; bh=; b=;";
        String header;
        try {
            SignatureRecord record = signer.newSignatureRecordTemplate(template);
            BodyHasher bodyHasher = signer.newBodyHasher(record);
            try (OutputStream out = bodyHasher.getOutputStream()) {
                if (bodyStart >= 0) {
                    out.write(msg, bodyStart, msg.length - bodyStart);
                }
            }
            header = signer.sign(fields, bodyHasher);
        } catch (FailException | IOException | RuntimeException e) {
            throw new MailerException(ErrorKind.INTERNAL, "DKIM signing failed: " + e.getMessage(), e);
        }
        byte[] folded = fold(header).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[folded.length + 2 + msg.length];
        System.arraycopy(folded, 0, out, 0, folded.length);
        System.arraycopy(CRLF, 0, out, folded.length, 2);
        System.arraycopy(msg, 0, out, folded.length + 2, msg.length);
        return out;
    }

    /**
     * Folds jDKIM's one-line header for readability. Only where relaxed canonicalization makes no
     * difference: a line break goes before the space that already follows a tag's ";" (unfolding
     * removes the CRLF and leaves that space), and the b= value is broken anywhere, since
     * verifiers ignore whitespace in it and empty it before checking.
     */
    static String fold(String header) {
        StringBuilder out = new StringBuilder(header.length() + 64);
        int lineStart = 0;
        String[] tags = header.split("; ", -1);
        for (int i = 0; i < tags.length; i++) {
            String tag = tags[i] + (i < tags.length - 1 ? ";" : "");
            if (i > 0) {
                if (out.length() - lineStart + 1 + tag.length() > FOLD_WIDTH) {
                    out.append("\r\n");
                    lineStart = out.length();
                }
                out.append(' ');
            }
            if (tag.startsWith("b=") && out.length() - lineStart + tag.length() > FOLD_WIDTH) {
                int room = Math.max(8, FOLD_WIDTH - (out.length() - lineStart));
                out.append(tag, 0, Math.min(room, tag.length()));
                for (int p = room; p < tag.length(); p += FOLD_WIDTH - 1) {
                    out.append("\r\n ");
                    lineStart = out.length() - 1;
                    out.append(tag, p, Math.min(tag.length(), p + FOLD_WIDTH - 1));
                }
            } else {
                out.append(tag);
            }
        }
        return out.toString();
    }

    /** The message with every bare CR or LF made a CRLF; the same array when there is none. */
    private static byte[] toCrlf(byte[] in) {
        boolean clean = true;
        for (int i = 0; i < in.length && clean; i++) {
            if (in[i] == '\r') {
                clean = i + 1 < in.length && in[i + 1] == '\n';
                i++;
            } else if (in[i] == '\n') {
                clean = false;
            }
        }
        if (clean) {
            return in;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 64);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '\r') {
                out.write(CRLF, 0, 2);
                if (i + 1 < in.length && in[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write(CRLF, 0, 2);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** Where the body starts (after the first empty line), or -1 for a message of headers only. */
    private static int bodyStart(byte[] m) {
        if (m.length >= 2 && m[0] == '\r' && m[1] == '\n') {
            return 2;
        }
        for (int i = 0; i + 3 < m.length; i++) {
            if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /** The header fields as jDKIM wants them: each field whole, folds included, without its final CRLF. */
    private static final class FieldList implements Headers {
        private final List<String> fields;
        private final List<String> names;

        private FieldList(List<String> fields, List<String> names) {
            this.fields = fields;
            this.names = names;
        }

        static FieldList parse(byte[] m, int end) {
            for (int i = 0; i < end; i++) {
                if (m[i] < 0) {
                    throw new MailerException(ErrorKind.INTERNAL,
                            "cannot DKIM-sign a message with non-ASCII bytes in its header");
                }
            }
            List<String> fields = new ArrayList<>();
            List<String> names = new ArrayList<>();
            int start = 0;
            int i = 0;
            while (i < end) {
                int eol = i;
                while (eol < end && !(m[eol] == '\r' && eol + 1 < end && m[eol + 1] == '\n')) {
                    eol++;
                }
                int next = eol == end ? end : eol + 2;
                boolean continues = next < end && (m[next] == ' ' || m[next] == '\t');
                if (!continues) {
                    String field = new String(m, start, eol - start, StandardCharsets.US_ASCII);
                    int colon = field.indexOf(':');
                    if (colon > 0) {
                        fields.add(field);
                        names.add(field.substring(0, colon).strip().toLowerCase(Locale.ROOT));
                    }
                    start = next;
                }
                i = next;
            }
            return new FieldList(Collections.unmodifiableList(fields), names);
        }

        @Override
        public List<String> getFields() {
            return fields;
        }

        @Override
        public List<String> getFields(String name) {
            String wanted = name.toLowerCase(Locale.ROOT);
            List<String> out = new ArrayList<>(2);
            for (int i = 0; i < fields.size(); i++) {
                if (names.get(i).equals(wanted)) {
                    out.add(fields.get(i));
                }
            }
            return out;
        }
    }
}
