package dev.mailer.transport;

import dev.mailer.transport.SendResult.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;

/**
 * One long-lived SMTP session to one relay, used for many messages: greeting, EHLO, STARTTLS,
 * AUTH once, then one mail transaction per message.
 *
 * <p>Where the server offers PIPELINING (RFC 2920), MAIL FROM, RCPT TO and DATA go out in one
 * write and their replies are read after, so a message costs two round trips instead of four;
 * with CHUNKING (RFC 3030) too, MAIL, RCPT and the message in one BDAT go out together: one
 * round trip. Every reply is still read and judged on its own: a refused recipient fails that
 * message only, and the session goes on.
 *
 * <p>Messages arrive fully built (RFC 5322 bytes with CRLF line ends, signed): they are written
 * as they are (dot-stuffed for DATA), never parsed, so a DKIM signature stays valid.
 *
 * <p>Not thread-safe: one thread uses a connection at a time (the pool hands it out).
 */
public final class SmtpConnection implements AutoCloseable {

    /** After this long unused, a session is checked with NOOP first: relays drop idle clients. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** RFC 4954: the relay wants SMTP AUTH before MAIL. It says nothing about the recipient. */
    private static final int AUTHENTICATION_REQUIRED = 530;
    private static final int CLOSING = 421;

    private static volatile String localName;

    private final SmtpRelay relay;
    private final SSLSocketFactory tlsSockets;
    private final Consumer<SendResult> observer;

    private SmtpWire wire;
    private SmtpExtensions extensions = SmtpExtensions.NONE;
    private boolean open;
    private int messagesThisSession;
    private long lastUsedNanos;
    private int sessionsOpened;
    private long sends;

    public SmtpConnection(SmtpRelay relay) {
        this(relay, (SSLSocketFactory) null);
    }

    /**
     * @param tlsSockets makes the TLS sockets (STARTTLS and implicit TLS alike) and so decides which
     *                   certificates are trusted; null for the JVM's default (its trust store). The
     *                   server's host name is checked against its certificate either way.
     */
    public SmtpConnection(SmtpRelay relay, SSLSocketFactory tlsSockets) {
        this(relay, tlsSockets, result -> { });
    }

    /** @param observer told every result, connect failures included (the pool's circuit breaker) */
    SmtpConnection(SmtpRelay relay, Consumer<SendResult> observer) {
        this(relay, null, observer);
    }

    SmtpConnection(SmtpRelay relay, SSLSocketFactory tlsSockets, Consumer<SendResult> observer) {
        this.relay = Objects.requireNonNull(relay, "relay");
        this.tlsSockets = tlsSockets;
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    public SmtpRelay relay() {
        return relay;
    }

    /** Whether a session is open, as far as this side knows (no round trip). */
    public boolean isOpen() {
        return open;
    }

    /** How many SMTP sessions this connection has opened so far (reconnects included). */
    public int sessionsOpened() {
        return sessionsOpened;
    }

    /** Whether the open session pipelines its commands (the server offered PIPELINING). */
    boolean pipelining() {
        return open && extensions.pipelining();
    }

    /** How many times {@link #send} has been called: the pool's per-entry use count. */
    long sends() {
        return sends;
    }

    /**
     * Sends one message to one recipient, connecting first if needed.
     *
     * @param envelopeFrom the MAIL FROM address (VERP bounce address), without angle brackets
     * @param recipient    the RCPT TO address, without angle brackets
     * @param rfc5322      the complete message, CRLF line ends; written unchanged (dot-stuffed on the wire)
     * @throws IllegalArgumentException if an address could smuggle an SMTP command (CR, LF, '<', '>')
     */
    public SendResult send(String envelopeFrom, String recipient, byte[] rfc5322) {
        try {
            return send(envelopeFrom, recipient, rfc5322, () -> true).orElseThrow();
        } catch (InterruptedException e) {
            throw new AssertionError("nothing waits here", e);
        }
    }

    /**
     * Sends one message, asking {@code beforeData} once, before any byte of the message can reach
     * the relay: with pipelining, while the envelope's replies are on their way (the durable mark
     * of the delivery log and the round trip overlap); else before the first command.
     *
     * @return the relay's answer; empty when {@code beforeData} said no (nothing was delivered)
     * @throws InterruptedException from {@code beforeData}; the session is then abandoned
     */
    public Optional<SendResult> send(String envelopeFrom, String recipient, byte[] rfc5322,
                                     Sender.BeforeData beforeData) throws InterruptedException {
        checkAddress(envelopeFrom, "envelopeFrom");
        checkAddress(recipient, "recipient");
        Objects.requireNonNull(rfc5322, "rfc5322");
        sends++;
        if (open && System.nanoTime() - lastUsedNanos > IDLE_CHECK_NANOS && !stillThere()) {
            closeQuietly();
        }
        boolean reused = open;
        Transaction transaction = new Transaction(envelopeFrom, recipient, rfc5322, beforeData);
        if (!open) {
            SendResult failure = connect();
            if (failure != null) {
                return transaction.proceed() ? Optional.of(report(failure)) : Optional.empty();
            }
        }
        SendResult result;
        try {
            result = transmit(transaction, reused);
        } catch (InterruptedException e) {
            abandon();
            throw e;
        }
        if (result == null) {
            return Optional.empty();
        }
        messagesThisSession++;
        lastUsedNanos = System.nanoTime();
        if (result.outcome() == Outcome.CONNECTION || result.code() == CLOSING) {
            closeQuietly(); // a 421 means the server is closing this session, whatever else it says
        } else if (messagesThisSession >= relay.messagesPerConnection()) {
            closeQuietly(); // relays limit messages per session; the next send opens a fresh one
        }
        return Optional.of(report(result));
    }

    /**
     * Opens the session now unless one is open, so that the pool can fail over before any
     * message is at stake.
     *
     * @return whether a session is open; a failure has been told to the observer
     */
    boolean open() {
        if (open) {
            return true;
        }
        SendResult failure = connect();
        if (failure != null) {
            report(failure);
            return false;
        }
        return true;
    }

    /** Ends the session with QUIT, without waiting for the reply; never throws. */
    @Override
    public void close() {
        closeQuietly();
    }

    /**
     * @param reused whether the session carried messages before: a relay may have dropped it
     *               meanwhile, and a failure before the message went out is then tried once on a
     *               fresh session
     * @return null when the transaction's {@code beforeData} said no
     */
    private SendResult transmit(Transaction transaction, boolean reused) throws InterruptedException {
        try {
            return transaction.run();
        } catch (IOException e) {
            abandon();
            if (reused && !transaction.messageWritten) {
                SendResult failure = connect();
                return failure != null ? (transaction.proceed() ? failure : null) : transmit(transaction, false);
            }
            return transaction.proceed() ? SendResult.connectionLost(describe(false, e)) : null;
        }
    }

    /**
     * One mail transaction on the open session. Commands are grouped per write as the server's
     * extensions allow; every reply is read, in order, whatever came before it.
     */
    private final class Transaction {
        private final String envelopeFrom;
        private final String recipient;
        private final byte[] message;
        private final Sender.BeforeData beforeData;
        private Boolean allowed;
        /** Whether any byte of the message itself was handed to the socket: after that, no retry. */
        private boolean messageWritten;

        Transaction(String envelopeFrom, String recipient, byte[] message, Sender.BeforeData beforeData) {
            this.envelopeFrom = envelopeFrom;
            this.recipient = recipient;
            this.message = message;
            this.beforeData = beforeData;
        }

        /** MAIL FROM with the parameters the session's server takes (made per session: it may reconnect). */
        private String mailFrom() {
            boolean utf8 = extensions.smtpUtf8() && !(ascii(envelopeFrom) && ascii(recipient));
            return "MAIL FROM:<" + envelopeFrom + ">"
                    + (extensions.maxSize().isPresent() ? " SIZE=" + message.length : "") + (utf8 ? " SMTPUTF8" : "");
        }

        /** Asks beforeData, once: every later call has the same answer. */
        boolean proceed() throws InterruptedException {
            if (allowed == null) {
                allowed = beforeData.proceed();
            }
            return allowed;
        }

        /** @return null when beforeData said no */
        SendResult run() throws IOException, InterruptedException {
            boolean pipelined = extensions.pipelining();
            boolean chunked = extensions.chunking();
            if (!(pipelined && !chunked) && !proceed()) {
                return null;
            }
            wire.command(mailFrom());
            if (!pipelined) {
                SmtpReply mail = exchange();
                if (!mail.positive()) {
                    return refused(mail);
                }
                wire.command("RCPT TO:<" + recipient + ">");
                SmtpReply rcpt = exchange();
                if (!rcpt.positive()) {
                    return refused(rcpt);
                }
                return chunked ? ended(chunk()) : data();
            }
            wire.command("RCPT TO:<" + recipient + ">");
            if (chunked) {
                writeChunk();
            } else {
                wire.command("DATA");
            }
            wire.flush();
            if (!proceed()) {
                abandon(); // the envelope only: a transaction the relay drops with the connection
                return null;
            }
            SmtpReply mail = wire.read();
            if (mail.code() == CLOSING) {
                return refused(mail); // the server hangs up after it: no further replies come
            }
            SmtpReply rcpt = wire.read();
            if (rcpt.code() == CLOSING) {
                return refused(rcpt);
            }
            SmtpReply last = wire.read(); // DATA's 354, or the chunk's verdict
            if (!mail.positive() || !rcpt.positive()) {
                if (last.code() == 354) {
                    // a server that took DATA with nobody to deliver to: end the empty message (RFC 2920 3.1)
                    wire.command(".");
                    exchange();
                }
                return refused(mail.positive() ? rcpt : mail);
            }
            return chunked ? ended(last) : dataAccepted(last);
        }

        private SendResult data() throws IOException {
            wire.command("DATA");
            return dataAccepted(exchange());
        }

        private SendResult dataAccepted(SmtpReply reply) throws IOException {
            if (reply.code() != 354) {
                return refused(reply);
            }
            messageWritten = true;
            wire.dataBody(message);
            wire.flush();
            return ended(wire.read());
        }

        private SmtpReply chunk() throws IOException {
            writeChunk();
            wire.flush();
            return wire.read();
        }

        private void writeChunk() throws IOException {
            wire.command("BDAT " + message.length + " LAST");
            messageWritten = true;
            wire.chunk(message);
        }

        /** The reply that ends the message: the relay took it, or it refused it. */
        private SendResult ended(SmtpReply reply) throws IOException {
            if (reply.positive()) {
                return SendResult.fromReply(Outcome.SENT, reply.code(), reply.text());
            }
            return refused(reply);
        }

        /** A reply that refuses the message: its outcome, and the session reset for the next one. */
        private SendResult refused(SmtpReply reply) throws IOException {
            if (!reply.refusal()) {
                // a 2xx where a refusal or 354 was due, or a 3xx out of place: the protocol is out of step
                closeQuietly();
                return SendResult.connectionLost("unexpected reply from " + relay.describe() + ": "
                        + SendResult.lastLine(reply.text()));
            }
            if (reply.code() != CLOSING) {
                reset();
            }
            if (reply.code() == AUTHENTICATION_REQUIRED) {
                // not the recipient's fault: bouncing it would suppress a good address, so the relay
                // counts as unusable instead (the pool fails over, the message is deferred)
                return SendResult.fromReply(Outcome.CONNECTION, reply.code(), reply.text());
            }
            return reply.result();
        }
    }

    /** RSET after a refusal, for the next message; a session that cannot be reset is closed. */
    private void reset() {
        try {
            wire.command("RSET");
            if (!exchange().positive()) {
                closeQuietly();
            }
        } catch (IOException e) {
            closeQuietly();
        }
    }

    /** Flushes what is buffered and reads one reply. */
    private SmtpReply exchange() throws IOException {
        wire.flush();
        return wire.read();
    }

    /** @return null when connected, else why not */
    private SendResult connect() {
        closeQuietly();
        try {
            wire = SmtpWire.open(relay.host(), relay.port(), relay.timeout(), relay.tls() == SmtpRelay.Tls.TLS,
                    tlsSockets);
            SmtpReply greeting = wire.read();
            if (greeting.code() != 220) {
                return refusedAtConnect(greeting);
            }
            SmtpReply hello = hello();
            if (!hello.positive()) {
                return refusedAtConnect(hello);
            }
            if (relay.tls() == SmtpRelay.Tls.STARTTLS) {
                if (!extensions.startTls()) {
                    closeQuietly();
                    return SendResult.connectionLost("cannot use " + relay.describe()
                            + ": STARTTLS is required but host does not support STARTTLS");
                }
                wire.command("STARTTLS");
                SmtpReply ready = exchange();
                if (ready.code() != 220) {
                    return refusedAtConnect(ready);
                }
                wire.startTls(tlsSockets);
                hello = hello(); // RFC 3207: everything said before the handshake is forgotten
                if (!hello.positive()) {
                    return refusedAtConnect(hello);
                }
            }
            if (relay.authenticates() && !extensions.auth().isEmpty()) {
                SmtpReply login = SmtpLogin.login(wire, extensions.auth(), relay.user(), relay.password());
                if (login.code() != 235) {
                    return refusedAtConnect(login);
                }
            }
        } catch (IOException e) {
            closeQuietly();
            return SendResult.connectionLost(describe(true, e));
        } catch (UnsupportedOperationException e) {
            closeQuietly();
            return SendResult.connectionLost("cannot use " + relay.describe() + ": " + e.getMessage());
        }
        open = true;
        sessionsOpened++;
        messagesThisSession = 0;
        lastUsedNanos = System.nanoTime();
        return null;
    }

    /** EHLO, or HELO for a server that does not know EHLO; sets the extensions. */
    private SmtpReply hello() throws IOException {
        extensions = SmtpExtensions.NONE;
        wire.command("EHLO " + localName());
        SmtpReply reply = exchange();
        if (reply.positive()) {
            extensions = SmtpExtensions.parse(reply.text());
            return reply;
        }
        if (reply.code() == 500 || reply.code() == 502) {
            wire.command("HELO " + localName());
            return exchange();
        }
        return reply;
    }

    /**
     * A refusal before any message: a 421 is "busy, come back"; anything else (another bad
     * greeting, login refused) makes the relay unusable for now.
     */
    private SendResult refusedAtConnect(SmtpReply reply) {
        closeQuietly();
        if (reply.code() == CLOSING) {
            return SendResult.fromReply(Outcome.TRANSIENT, reply.code(), reply.text());
        }
        if (reply.refusal()) {
            return SendResult.fromReply(Outcome.CONNECTION, reply.code(), reply.text());
        }
        return SendResult.connectionLost("cannot use " + relay.describe() + ": unexpected reply "
                + SendResult.lastLine(reply.text()));
    }

    /** NOOP on a session unused for a while: false when the relay has let it go. */
    private boolean stillThere() {
        try {
            wire.command("NOOP");
            return exchange().code() == 250;
        } catch (IOException e) {
            return false;
        }
    }

    private String describe(boolean connecting, IOException io) {
        String what = io.getClass().getSimpleName() + (io.getMessage() == null ? "" : ": " + io.getMessage());
        return (connecting ? "cannot connect to " : "connection lost to ") + relay.describe() + " (" + what + ")";
    }

    private SendResult report(SendResult result) {
        SendResult safe = withoutPassword(result);
        observer.accept(safe);
        return safe;
    }

    /**
     * Results end up in the database, logs and --json output. None of our texts contains the
     * password, but replies come from the server: a server that echoes what it was sent must not
     * be able to put the secret there.
     */
    private SendResult withoutPassword(SendResult result) {
        String password = relay.password();
        if (password == null || result.reply() == null || !result.reply().contains(password)) {
            return result;
        }
        return new SendResult(result.outcome(), result.code(), result.enhancedStatus(),
                result.reply().replace(password, "***"), result.queueId());
    }

    /** Drops the session without a word: in the middle of DATA even QUIT would be message text. */
    private void abandon() {
        open = false;
        if (wire != null) {
            wire.close();
            wire = null;
        }
    }

    private void closeQuietly() {
        boolean wasOpen = open;
        open = false;
        if (wire == null) {
            return;
        }
        if (wasOpen) {
            try {
                wire.command("QUIT"); // the reply is not waited for: the session is over either way
                wire.flush();
            } catch (IOException e) {
                // the socket is closed below anyway
            }
        }
        wire.close();
        wire = null;
    }

    /** The name this side gives in EHLO: this machine's name, or its address literal (RFC 5321 4.1.3). */
    private static String localName() {
        String name = localName;
        if (name == null) {
            try {
                InetAddress local = InetAddress.getLocalHost();
                String canonical = local.getCanonicalHostName();
                boolean named = !canonical.equals(local.getHostAddress()) && canonical.contains(".");
                name = named ? canonical : local instanceof java.net.Inet6Address
                        ? "[IPv6:" + local.getHostAddress() + "]" : "[" + local.getHostAddress() + "]";
            } catch (IOException e) {
                name = "[127.0.0.1]";
            }
            localName = name;
        }
        return name;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 128) {
                return false;
            }
        }
        return true;
    }

    private static void checkAddress(String address, String what) {
        Objects.requireNonNull(address, what);
        if (address.isBlank()) {
            throw new IllegalArgumentException(what + " is blank");
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c == '\r' || c == '\n' || c == '<' || c == '>' || c == 0) {
                throw new IllegalArgumentException(what + " contains a character SMTP cannot carry");
            }
        }
    }
}
