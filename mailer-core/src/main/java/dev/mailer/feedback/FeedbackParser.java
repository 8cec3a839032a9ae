package dev.mailer.feedback;

import dev.mailer.message.TokenSigner;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Reads one message from the feedback mailbox and says what it reports (SPEC §7): a bounce for
 * each failed or delayed recipient, a complaint, an unsubscribe request, or nothing we act on.
 *
 * <p>In order of trust:
 * <ol>
 *   <li>an RFC 5965 feedback report is a complaint;</li>
 *   <li>an RFC 3464 delivery-status part is a bounce, one entry per failed or delayed recipient;</li>
 *   <li>an Amazon SES bounce or complaint notification (JSON in the body) is read as such;</li>
 *   <li>mail to our unsubscribe address ({@code unsubscribe+TOKEN@domain}) is an unsubscribe;</li>
 *   <li>an auto-reply (vacation, out of office, challenge-response) is unknown: never a bounce;</li>
 *   <li>a message that looks like a bounce (mailer-daemon sender, failure subject or wording)
 *       is a bounce for the addresses its text names as failed, else the returned original's
 *       recipient;</li>
 *   <li>anything else is unknown.</li>
 * </ol>
 * Campaign and contact come from signed tokens in the message (VERP address first, then the
 * returned original's List-Unsubscribe); tokens that do not verify name nobody, and the entries
 * of such a message say so ({@link Feedback#tokenDoesNotVerify()}).
 *
 * <p>Never throws for bad input: garbage, truncated or hostile messages give one unknown entry.
 * Input beyond {@value #MAX_MESSAGE_BYTES} bytes is not read. Thread-safe.
 */
public final class FeedbackParser {
    static {
        // jakarta.mail-api 2.1 looks its stream provider up through a service-loader scan for every
        // message; naming it skips the scan (upstream jakartaee/mail-api issue 861)
        if (System.getProperty("jakarta.mail.util.StreamProvider") == null) {
            System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    /** Only this much of a message is read; what matters is near its start. */
    public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    private static final int MAX_MESSAGE_ID = 250;
    private static final Session SESSION = Session.getInstance(lenientMimeProperties());

    private final CampaignTokens tokens;

    /** @param tokens checks the tokens found in messages; the same secret that signed them */
    public FeedbackParser(TokenSigner tokens) {
        this.tokens = new CampaignTokens(Objects.requireNonNull(tokens, "tokens"));
    }

    private FeedbackParser() {
        this.tokens = new CampaignTokens(null);
    }

    /**
     * A parser for a machine without the secret: it classifies as well as any, but names no
     * campaign or contact (no token can be checked) and says nothing about tokens.
     */
    public static FeedbackParser withoutSecret() {
        return new FeedbackParser();
    }

    /** Reads at most {@value #MAX_MESSAGE_BYTES} bytes of the stream and parses them. */
    public List<Feedback> parse(InputStream in) throws IOException {
        return parse(in.readNBytes(MAX_MESSAGE_BYTES));
    }

    /** @return at least one entry; never throws for any content */
    public List<Feedback> parse(byte[] rawMessage) {
        byte[] raw = rawMessage == null ? new byte[0] : rawMessage;
        try {
            return read(raw);
        } catch (MessagingException | RuntimeException | StackOverflowError e) {
            // StackOverflowError too: a regular expression on pathological text must not take the
            // caller (a mailbox poll) down; the message is simply not understood
            return List.of(new Feedback(FeedbackType.UNKNOWN, null, null, null, false, null, null, null,
                    RawMessages.sha256(raw)));
        }
    }

    private List<Feedback> read(byte[] raw) throws MessagingException {
        byte[] bytes = RawMessages.prepare(raw, MAX_MESSAGE_BYTES);
        MimeMessage mime = new MimeMessage(SESSION, new SharedByteArrayInputStream(bytes));
        MessageParts parts = MessageParts.of(mime);
        CampaignTokens.Lookup lookup = tokens.find(
                RawMessages.latin1(bytes, CampaignTokens.SCAN_CHARS), parts.returnedSource());
        List<Feedback> entries = classify(raw, parts, lookup.found());
        // every entry of the message is marked, so the recorder trusts none of them by token
        return lookup.doesNotVerify()
                ? entries.stream().map(Feedback::withTokenThatDoesNotVerify).toList()
                : entries;
    }

    private List<Feedback> classify(byte[] raw, MessageParts parts, Optional<CampaignTokens.Found> token)
            throws MessagingException {
        ParsedMessage message = new ParsedMessage(parts, messageKey(parts, raw),
                token.map(CampaignTokens.Found::token).orElse(null), token.map(CampaignTokens.Found::text).orElse(null));

        if (parts.feedbackReport() != null) {
            return Complaints.read(message);
        }
        if (parts.deliveryStatus() != null) {
            List<Feedback> reported = DeliveryReports.read(message);
            if (!reported.isEmpty()) {
                return reported;
            }
        }
        ParsedMessage forwarded = forwardedBounce(message);
        if (forwarded != null && forwarded.parts().deliveryStatus() != null) {
            List<Feedback> reported = DeliveryReports.read(forwarded);
            if (reported.stream().anyMatch(e -> e.type() == FeedbackType.BOUNCE)) {
                return reported;
            }
        }
        Optional<List<Feedback>> notification = SesNotifications.read(message);
        if (notification.isPresent()) {
            return notification.get();
        }
        Optional<Feedback> unsubscribe = UnsubscribeMail.read(message, tokens);
        if (unsubscribe.isPresent()) {
            return List.of(unsubscribe.get());
        }
        boolean bounceSigns = BounceSigns.strong(parts);
        if (!bounceSigns && AutoReplies.isAutoReply(parts)) {
            return List.of(message.unknown());
        }
        if (forwarded != null && BounceSigns.fromMailSystem(forwarded.parts())) {
            // a mail system's bounce, forwarded: it names the failures; the wrapper's own text
            // (a person's note, the forwarder's address in the copy's To) does not
            List<Feedback> bounces = TextBounces.read(forwarded, true);
            if (!bounces.isEmpty()) {
                return bounces;
            }
        }
        if (bounceSigns || BounceSigns.weak(parts)) {
            List<Feedback> bounces = TextBounces.read(message, bounceSigns);
            if (forwarded != null && !bounces.isEmpty()) {
                bounces = withForwardedReasons(bounces, TextBounces.read(forwarded, false));
            }
            if (!bounces.isEmpty()) {
                return bounces;
            }
        }
        return List.of(message.unknown());
    }

    /**
     * The returned message when it is itself a bounce: a bounce forwarded by a person or a
     * gateway (attached as message/rfc822, or quoted inline after "---- Forwarded message ----"),
     * or a bounce that a relay or filter could not pass on and returned in turn. Its report is
     * then the one that says what went wrong. Only one level deep; null when the returned message
     * is not a bounce.
     */
    private ParsedMessage forwardedBounce(ParsedMessage outer) {
        byte[] inner = outer.parts().returnedMessage();
        if (inner == null || inner.length == 0) {
            return null;
        }
        MessageParts parts;
        try {
            parts = MessageParts.of(new MimeMessage(SESSION,
                    new SharedByteArrayInputStream(RawMessages.prepare(inner, MAX_MESSAGE_BYTES))));
        } catch (MessagingException | RuntimeException e) {
            return null; // a returned copy that does not parse leaves the outer message as it is
        }
        if (parts.deliveryStatus() == null && !BounceSigns.strong(parts) && !BounceSigns.weak(parts)) {
            return null;
        }
        if (outer.token() != null) {
            return new ParsedMessage(parts, outer.key(), outer.token(), outer.tokenText());
        }
        Optional<CampaignTokens.Found> token = tokens.find("", parts.returnedSource()).found();
        return new ParsedMessage(parts, outer.key(), token.map(CampaignTokens.Found::token).orElse(null),
                token.map(CampaignTokens.Found::text).orElse(null));
    }

    /**
     * The bounces the outer text names, each without a status of its own taking the forwarded
     * report's entry for the same address (a gateway's "could not deliver to X" over the
     * transcript that says why).
     */
    private static List<Feedback> withForwardedReasons(List<Feedback> outer, List<Feedback> forwarded) {
        List<Feedback> result = new java.util.ArrayList<>(outer.size());
        for (Feedback entry : outer) {
            Feedback better = null;
            if (entry.status() == null && entry.recipient() != null) {
                better = forwarded.stream()
                        .filter(f -> entry.recipient().equals(f.recipient()) && f.status() != null)
                        .findFirst().orElse(null);
            }
            result.add(better != null ? better : entry);
        }
        return result;
    }

    /** The report's Message-ID, else a hash of its bytes: what makes each event's key stable. */
    private static String messageKey(MessageParts parts, byte[] raw) {
        String id = parts.header("Message-ID");
        if (id != null) {
            id = id.strip();
            if (!id.isEmpty() && id.length() <= MAX_MESSAGE_ID && id.chars().noneMatch(Character::isWhitespace)) {
                return id;
            }
        }
        return RawMessages.sha256(raw);
    }

    private static Properties lenientMimeProperties() {
        Properties properties = new Properties();
        properties.setProperty("mail.mime.address.strict", "false");
        properties.setProperty("mail.mime.multipart.ignoremissingendboundary", "true");
        properties.setProperty("mail.mime.multipart.allowempty", "true");
        properties.setProperty("mail.mime.multipart.ignoremissingboundaryparameter", "true");
        return properties;
    }
}
