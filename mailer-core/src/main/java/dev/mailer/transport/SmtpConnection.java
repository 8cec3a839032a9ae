package dev.mailer.transport;

import dev.mailer.transport.SendResult.Outcome;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * One long-lived SMTP session to one relay, used for many messages.
 *
 * <p>Messages arrive fully built (RFC 5322 bytes with CRLF line ends, signed): they are written
 * as they are, never parsed, so a DKIM signature stays valid and no time goes into MIME.
 *
 * <p>Not thread-safe: one thread uses a connection at a time (the pool hands it out).
 *
 * <p>About 400 lines because one SMTP session is one state machine (greeting, EHLO, STARTTLS,
 * AUTH, transactions, NOOP on reuse, QUIT) with its reply parsing; the pipelining client of the
 * performance issue replaces it, so it is not split now.
 */
public final class SmtpConnection implements AutoCloseable {

    /**
     * Angus implements the write timeout with a scheduler; without one given it starts a thread
     * per socket. One shared daemon thread serves every connection instead.
     */
    private static final ScheduledThreadPoolExecutor WRITE_TIMEOUTS = writeTimeoutScheduler();

    /** After this long unused, a session is checked with NOOP first: relays drop idle clients. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** RFC 4954: the relay wants SMTP AUTH before MAIL. It says nothing about the recipient. */
    private static final int AUTHENTICATION_REQUIRED = 530;

    private final SmtpRelay relay;
    private final Consumer<SendResult> observer;
    private final Session session;
    private final SMTPTransport transport;
    private final PrebuiltMessage message;
    private final Address[] recipientHolder = new Address[1];

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
        this.observer = Objects.requireNonNull(observer, "observer");
        this.session = Session.getInstance(properties(relay, tlsSockets));
        // SMTPTransport (not SMTPSSLTransport) for all three modes: the SSL subclass reads
        // mail.smtps.* keys, so it would silently ignore the mail.smtp.* timeouts set here.
        this.transport = new SMTPTransport(session, null);
        this.message = new PrebuiltMessage(session);
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
        checkAddress(envelopeFrom, "envelopeFrom");
        checkAddress(recipient, "recipient");
        Objects.requireNonNull(rfc5322, "rfc5322");
        sends++;
        if (open && System.nanoTime() - lastUsedNanos > IDLE_CHECK_NANOS && !transport.isConnected()) {
            open = false; // isConnected() sent NOOP, got no 250 and closed the socket itself
        }
        if (!open) {
            SendResult failure = connect();
            if (failure != null) {
                return report(failure);
            }
        }
        SendResult result = transmit(envelopeFrom, recipient, rfc5322, true);
        messagesThisSession++;
        lastUsedNanos = System.nanoTime();
        if (result.outcome() == Outcome.CONNECTION || result.code() == 421) {
            closeQuietly(); // a 421 means the server is closing this session, whatever else it says
        } else if (messagesThisSession >= relay.messagesPerConnection()) {
            closeQuietly(); // relays limit messages per session; the next send opens a fresh one
        }
        return report(result);
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

    private SendResult transmit(String envelopeFrom, String recipient, byte[] rfc5322, boolean mayRetry) {
        message.prepare(envelopeFrom, rfc5322);
        recipientHolder[0] = address(recipient);
        try {
            transport.sendMessage(message, recipientHolder);
            return SendResult.fromReply(Outcome.SENT, transport.getLastReturnCode(), transport.getLastServerResponse());
        } catch (MessagingException e) {
            return failure(e, false);
        } catch (IllegalStateException e) {
            // "Not connected": Angus closed the socket itself after a failed RSET without telling
            // us. Nothing was written for this message, so it may go out on a fresh session.
            open = false;
            if (!mayRetry) {
                return SendResult.connectionLost("connection closed by " + relay.describe());
            }
            SendResult failure = connect();
            return failure != null ? failure : transmit(envelopeFrom, recipient, rfc5322, false);
        } finally {
            message.clear();
        }
    }

    /** @return null when connected, else why not */
    private SendResult connect() {
        closeQuietly();
        try {
            transport.connect(relay.host(), relay.port(), relay.user(), relay.password());
        } catch (MessagingException e) {
            closeQuietly();
            return failure(e, true);
        }
        open = true;
        sessionsOpened++;
        messagesThisSession = 0;
        lastUsedNanos = System.nanoTime();
        return null;
    }

    /**
     * Turns an Angus exception into a result. The reply code comes from the SMTP exception in the
     * chain when there is one, since Angus sends RSET after a failure and keeps the earlier reply
     * only there and in getLastServerResponse().
     */
    private SendResult failure(MessagingException e, boolean connecting) {
        IOException io = find(e, IOException.class);
        if (io != null) {
            return SendResult.connectionLost(describe(connecting, io));
        }
        int code = transport.getLastReturnCode();
        String response = transport.getLastServerResponse();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SMTPAddressFailedException a) {
                code = a.getReturnCode();
                response = a.getMessage();
                break;
            } else if (t instanceof SMTPSenderFailedException s) {
                code = s.getReturnCode();
                response = s.getMessage();
                break;
            } else if (t instanceof SMTPSendFailedException s) {
                code = s.getReturnCode();
                response = s.getMessage();
                break;
            }
        }
        if (connecting) {
            // Before any message: a 421 greeting is "busy, come back"; anything else (another bad
            // greeting, STARTTLS not offered, login refused) makes the relay unusable for now.
            if (code == 421) {
                return SendResult.fromReply(Outcome.TRANSIENT, code, response);
            }
            if (code >= 400 && code < 600) {
                return SendResult.fromReply(Outcome.CONNECTION, code, response);
            }
            return SendResult.connectionLost("cannot use " + relay.describe() + ": " + e.getMessage());
        }
        if (code == AUTHENTICATION_REQUIRED) {
            // not the recipient's fault: bouncing it would suppress a good address, so the relay
            // counts as unusable instead (the pool fails over, the message is deferred)
            return SendResult.fromReply(Outcome.CONNECTION, code, response);
        }
        Outcome outcome = SendResult.classify(code);
        if (outcome == Outcome.SENT) {
            outcome = Outcome.CONNECTION; // a failure with a 2xx code: the protocol is out of step
        }
        if (outcome == Outcome.CONNECTION) {
            return SendResult.connectionLost(code == -1 ? "connection closed by " + relay.describe()
                    : "unexpected reply from " + relay.describe() + ": " + SendResult.lastLine(response));
        }
        return SendResult.fromReply(outcome, code, response);
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
     * password, but exception messages and replies come from Angus and the server: a server that
     * echoes what it was sent must not be able to put the secret there.
     */
    private SendResult withoutPassword(SendResult result) {
        String password = relay.password();
        if (password == null || result.reply() == null || !result.reply().contains(password)) {
            return result;
        }
        return new SendResult(result.outcome(), result.code(), result.enhancedStatus(),
                result.reply().replace(password, "***"), result.queueId());
    }

    private void closeQuietly() {
        open = false;
        try {
            transport.close(); // QUIT without waiting (mail.smtp.quitwait=false), then closes the socket
        } catch (MessagingException | RuntimeException e) {
            // the session is being abandoned anyway; the socket is closed in Angus' finally block
        }
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static InternetAddress address(String address) {
        // setAddress instead of parsing: the gate has validated it, and SMTPTransport only reads it back
        InternetAddress a = new InternetAddress();
        a.setAddress(address);
        return a;
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

    private static Properties properties(SmtpRelay relay, SSLSocketFactory tlsSockets) {
        String millis = Long.toString(relay.timeout().toMillis());
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", relay.host());
        p.setProperty("mail.smtp.port", Integer.toString(relay.port()));
        p.setProperty("mail.smtp.connectiontimeout", millis);
        p.setProperty("mail.smtp.timeout", millis);
        p.setProperty("mail.smtp.writetimeout", millis);
        p.put("mail.smtp.executor.writetimeout", WRITE_TIMEOUTS);
        p.setProperty("mail.smtp.quitwait", "false");
        p.setProperty("mail.smtp.reportsuccess", "false");
        // checkserveridentity is Angus' default too, but the host name check is not left to a default
        switch (relay.tls()) {
            case STARTTLS -> {
                p.setProperty("mail.smtp.starttls.enable", "true");
                p.setProperty("mail.smtp.starttls.required", "true");
                p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
            }
            case TLS -> {
                p.setProperty("mail.smtp.ssl.enable", "true");
                p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
            }
            case NONE -> { }
        }
        if (tlsSockets != null && relay.tls() != SmtpRelay.Tls.NONE) {
            // Angus uses this factory for STARTTLS as well as for implicit TLS. It only makes the
            // socket: checkserveridentity still sets the endpoint identification algorithm on it,
            // so the factory's trust manager checks the host name during the handshake.
            p.put("mail.smtp.ssl.socketFactory", tlsSockets);
        }
        if (relay.authenticates()) {
            p.setProperty("mail.smtp.auth", "true");
        }
        return p;
    }

    private static ScheduledThreadPoolExecutor writeTimeoutScheduler() {
        ScheduledThreadPoolExecutor ses = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "smtp-write-timeouts");
            t.setDaemon(true);
            return t;
        });
        // every write schedules a task and cancels it: without this, cancelled tasks pile up
        // until their (long) delay passes
        ses.setRemoveOnCancelPolicy(true);
        return ses;
    }

    /**
     * A message whose bytes are final. SMTPTransport.sendMessage only asks it for its envelope
     * sender and to write itself (saveChanges() is called only on the 8BITMIME conversion path,
     * which is off), so nothing is parsed or rewritten. One instance is reused per connection.
     */
    private static final class PrebuiltMessage extends SMTPMessage {
        private byte[] bytes;
        private String envelopeFrom;

        PrebuiltMessage(Session session) {
            super(session);
        }

        void prepare(String envelopeFrom, byte[] bytes) {
            this.envelopeFrom = envelopeFrom;
            this.bytes = bytes;
        }

        void clear() {
            this.envelopeFrom = null;
            this.bytes = null;
        }

        @Override
        public String getEnvelopeFrom() {
            return envelopeFrom;
        }

        @Override
        public void writeTo(OutputStream out, String[] ignoreList) throws IOException {
            out.write(bytes);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(bytes);
        }

        @Override
        public void saveChanges() {
            // the headers are already final (and may be DKIM-signed): never regenerate them
        }
    }
}
