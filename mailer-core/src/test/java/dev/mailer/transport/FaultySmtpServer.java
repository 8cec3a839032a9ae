package dev.mailer.transport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A tiny SMTP server for tests that can misbehave on purpose: it speaks just enough ESMTP for
 * Angus (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), records what it
 * accepts, and injects the faults a real relay produces. Faults are set with the fluent methods
 * below, also while connections are open.
 *
 * <p>Optionally it speaks TLS, by STARTTLS (RFC 3207) or from the first byte, and requires
 * SMTP AUTH PLAIN or LOGIN (RFC 4954); set those before the first connection.
 *
 * <p>Loopback only, a thread per connection (at most {@value #MAX_CONNECTIONS} at once), every
 * socket with a read timeout, and {@link #close()} stops it all.
 */
public final class FaultySmtpServer implements AutoCloseable {

    /**
     * A message the server accepted with 250.
     *
     * @param overTls       whether the session was encrypted when the message arrived
     * @param authenticated the user that had logged in with AUTH, or null
     */
    public record Received(String envelopeFrom, List<String> recipients, byte[] data, boolean overTls,
            String authenticated) {

        public Received(String envelopeFrom, List<String> recipients, byte[] data) {
            this(envelopeFrom, recipients, data, false, null);
        }

        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    static final int MAX_CONNECTIONS = 64;
    private static final int SOCKET_TIMEOUT_MILLIS = 30_000;

    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private final AtomicInteger queueIds = new AtomicInteger();
    private final AtomicInteger noops = new AtomicInteger();
    private final AtomicInteger idleDrops = new AtomicInteger();
    private volatile boolean closed;

    // faults; volatile so that a test may change them between sends
    private volatile String greeting = "220 faulty.test ESMTP ready";
    private volatile boolean pipelining = true;
    private volatile boolean chunking;
    private volatile boolean smtpUtf8;
    private final List<String> mailCommands = new CopyOnWriteArrayList<>();
    private final AtomicInteger bdats = new AtomicInteger();
    private final AtomicInteger pipelinedMails = new AtomicInteger();
    private volatile boolean stallAtGreeting;
    private volatile boolean stallAfterData;
    private volatile boolean stopReadingAtData;
    private volatile int closeAfterMessages = Integer.MAX_VALUE;
    private volatile int idleTimeoutMillis;
    private volatile String acceptReply = "250 2.0.0 Ok: queued as %s";
    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private final Map<String, String> dataReplies = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> dataRepliesLeft = new ConcurrentHashMap<>();
    private final Set<String> dropAfterData = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger dataRefusals = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String throttleVerb;
    private volatile String throttleReply;
    private final AtomicInteger throttlesLeft = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();
    /** Mail transactions under way now, over all sessions: from MAIL's 250 to the end of DATA (or RSET). */
    private final AtomicInteger transactions = new AtomicInteger();
    private final List<Integer> transactionsAtAccept = new CopyOnWriteArrayList<>();

    // security; null means off
    private volatile SSLContext startTls;
    private volatile SSLContext implicitTls;
    private volatile String authUser;
    private volatile String authPassword;
    private volatile boolean tlsRequired;
    private volatile List<String> authMechanisms = List.of("PLAIN", "LOGIN");
    private final AtomicInteger authFailures = new AtomicInteger();

    private FaultySmtpServer() throws IOException {
        serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "faulty-smtp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static FaultySmtpServer start() throws IOException {
        return new FaultySmtpServer();
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** A relay URL for this server with extra options, e.g. {@code "timeout=2"}. */
    public String url(String options) {
        return "smtp://127.0.0.1:" + port() + "?tls=none" + (options.isEmpty() ? "" : "&" + options);
    }

    /**
     * Stops offering PIPELINING (RFC 2920), which it offers by default as real relays do; it reads
     * commands one at a time either way, so pipelined ones are answered in order.
     */
    public FaultySmtpServer lockStep() {
        pipelining = false;
        return this;
    }

    /** Offers CHUNKING (RFC 3030) and takes messages by BDAT as well as by DATA. */
    public FaultySmtpServer chunking() {
        chunking = true;
        return this;
    }

    /** How many MAIL commands arrived with the next command already behind them (in one write). */
    public int pipelinedMails() {
        return pipelinedMails.get();
    }

    /** Offers SMTPUTF8 (RFC 6531). */
    public FaultySmtpServer smtpUtf8() {
        smtpUtf8 = true;
        return this;
    }

    /** Every MAIL command line as received, parameters included. */
    public List<String> mailCommands() {
        return List.copyOf(mailCommands);
    }

    /** How many BDAT commands were received. */
    public int bdats() {
        return bdats.get();
    }

    /** Answers every new connection with this line (e.g. "421 4.3.2 busy") and hangs up. */
    public FaultySmtpServer greeting(String line) {
        greeting = line;
        return this;
    }

    /** After n accepted messages on one connection, answers the next command with 421 and hangs up. */
    public FaultySmtpServer closeAfterMessages(int n) {
        closeAfterMessages = n;
        return this;
    }

    /**
     * Like a relay's idle timeout (Postfix's smtpd_timeout): a session that sends no command for
     * this long is told "421 4.4.2 … timeout exceeded" and hung up on.
     */
    public FaultySmtpServer dropIdleAfter(Duration idle) {
        idleTimeoutMillis = Math.toIntExact(idle.toMillis());
        return this;
    }

    /** How many sessions were hung up on for being idle ({@link #dropIdleAfter}). */
    public int idleDrops() {
        return idleDrops.get();
    }

    /** How many NOOP commands were answered. */
    public int noops() {
        return noops.get();
    }

    /** Answers RCPT TO for this recipient with the line, e.g. "550 5.1.1 No such user". */
    public FaultySmtpServer rcptReply(String recipient, String line) {
        rcptReplies.put(recipient.toLowerCase(Locale.ROOT), line);
        return this;
    }

    /** Answers the end of DATA for this recipient with the line, e.g. "451 4.3.0 Try again later". */
    public FaultySmtpServer dataReply(String recipient, String line) {
        dataReplies.put(recipient.toLowerCase(Locale.ROOT), line);
        return this;
    }

    /**
     * Answers the end of DATA for this recipient with the line the first {@code times} times, then
     * accepts the message (a relay that was busy and came back).
     */
    public FaultySmtpServer dataReply(String recipient, String line, int times) {
        String key = recipient.toLowerCase(Locale.ROOT);
        dataRepliesLeft.put(key, new java.util.concurrent.atomic.AtomicInteger(times));
        return dataReply(recipient, line);
    }

    /** Reads the whole message for this recipient, then hangs up without a reply. */
    public FaultySmtpServer dropAfterData(String recipient) {
        dropAfterData.add(recipient.toLowerCase(Locale.ROOT));
        return this;
    }

    /** Accepts connections and never says a word. */
    public FaultySmtpServer stallAtGreeting(boolean stall) {
        stallAtGreeting = stall;
        return this;
    }

    /** Answers DATA with 354 and then reads nothing more, as a relay that hangs: the client's writes block. */
    public FaultySmtpServer stopReadingAtData() {
        stopReadingAtData = true;
        return this;
    }

    /** Reads each message and then stops answering. */
    public FaultySmtpServer stallAfterData(boolean stall) {
        stallAfterData = stall;
        return this;
    }

    /** Offers STARTTLS in EHLO and upgrades with this context (its key manager holds the certificate). */
    public FaultySmtpServer startTls(SSLContext context) {
        startTls = context;
        return this;
    }

    /** Speaks TLS from the first byte on every new connection (SMTPS), with this context. */
    public FaultySmtpServer implicitTls(SSLContext context) {
        implicitTls = context;
        return this;
    }

    /**
     * Advertises AUTH (only once encrypted when TLS is set up) and answers MAIL with 530 until
     * the client has logged in with these credentials.
     */
    public FaultySmtpServer requireAuth(String user, String password) {
        authUser = user;
        authPassword = password;
        return this;
    }

    /** Like a relay with "smtpd_tls_security_level = encrypt": no mail before STARTTLS (set {@link #startTls} too). */
    public FaultySmtpServer requireTls() {
        tlsRequired = true;
        return this;
    }

    /** The AUTH mechanisms advertised and accepted, of PLAIN and LOGIN; both by default. */
    public FaultySmtpServer authMechanisms(String... mechanisms) {
        authMechanisms = List.of(mechanisms);
        return this;
    }

    /** How many AUTH attempts were answered with 535. */
    public int authFailures() {
        return authFailures.get();
    }

    /**
     * Like a relay or a provider that says to slow down: the next {@code times} MAIL (or RCPT)
     * commands, from any session, are answered with {@code line} ("454 Throttling failure …").
     */
    public FaultySmtpServer throttle(String verb, String line, int times) {
        throttleVerb = verb.toUpperCase(Locale.ROOT);
        throttleReply = line;
        throttlesLeft.set(times);
        return this;
    }

    /** Commands answered with the {@link #throttle} line. */
    public int throttled() {
        return throttled.get();
    }

    /**
     * For every accepted message, in the order of {@link #received()}, how many mail transactions
     * were under way at that moment over all connections, itself included: 1 when it was alone.
     */
    public List<Integer> transactionsAtAccept() {
        return List.copyOf(transactionsAtAccept);
    }

    /** The 250 reply after DATA; "%s" becomes a fresh queue id. */
    public FaultySmtpServer acceptReply(String format) {
        acceptReply = format;
        return this;
    }

    /** Messages answered with a {@link #dataReply} line instead of being accepted. */
    public int dataRefusals() {
        return dataRefusals.get();
    }

    public int connectionsOpened() {
        return connectionsOpened.get();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The RCPT TO addresses of every message the server accepted with 250, in order. */
    public List<String> recipients() {
        return received().stream().flatMap(r -> r.recipients().stream()).toList();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        serverSocket.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (sockets.size() >= MAX_CONNECTIONS) {
                closeQuietly(socket);
                continue;
            }
            connectionsOpened.incrementAndGet();
            sockets.add(socket);
            Thread t = new Thread(() -> serve(socket), "faulty-smtp-" + socket.getPort());
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            SSLContext implicit = implicitTls;
            // the handshake runs on this connection's thread (with the greeting), not the acceptor's
            Socket conversation = implicit == null ? socket : serverSide(implicit, socket);
            Session session = new Session(conversation, implicit != null);
            try {
                session.run();
            } finally {
                session.endTransaction();
                session.flushQuietly(); // a last reply (421) held back for input that came after it
            }
        } catch (IOException e) {
            // the client hung up or timed out: that is the end of this session either way
        } finally {
            sockets.remove(socket);
        }
    }

    /** Layers TLS over an accepted socket, as its server side; closing it closes the socket. */
    private static SSLSocket serverSide(SSLContext context, Socket socket) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(
                socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
        tls.setUseClientMode(false);
        tls.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
        return tls;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** One SMTP conversation. Returning ends it (and closes the socket). */
    private final class Session {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean tls;
        private String user;
        private String from;
        private final List<String> recipients = new ArrayList<>();
        private int accepted;
        private boolean inTransaction;
        private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();

        Session(Socket socket, boolean tls) throws IOException {
            use(socket);
            this.tls = tls;
        }

        private void use(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = new java.io.BufferedOutputStream(socket.getOutputStream());
        }

        void run() throws IOException {
            if (stallAtGreeting) {
                stall();
                return;
            }
            String hello = greeting;
            reply(hello);
            if (!hello.startsWith("220")) {
                return;
            }
            while (true) {
                byte[] raw = readCommand();
                if (raw == null) {
                    return;
                }
                String line = new String(raw, StandardCharsets.US_ASCII).strip();
                int space = line.indexOf(' ');
                String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> reply(ehlo());
                    case "HELO" -> reply("250 faulty.test");
                    case "STARTTLS" -> startTls();
                    case "AUTH" -> auth(line);
                    case "MAIL" -> {
                        if (in.available() > 0) {
                            pipelinedMails.incrementAndGet();
                        }
                        mailCommands.add(line);
                        if (accepted >= closeAfterMessages) {
                            reply("421 4.4.2 faulty.test closing connection: too many messages");
                            return;
                        }
                        if (tlsRequired && !tls) {
                            reply("530 5.7.0 Must issue a STARTTLS command first");
                        } else if (authUser != null && user == null) {
                            reply("530 5.7.0 Authentication required");
                        } else if (throttles("MAIL")) {
                            reply(throttleReply);
                        } else {
                            from = address(line);
                            recipients.clear();
                            if (!inTransaction) {
                                inTransaction = true;
                                transactions.incrementAndGet();
                            }
                            reply("250 2.1.0 Ok");
                        }
                    }
                    case "RCPT" -> {
                        String to = address(line);
                        String custom = rcptReplies.get(to.toLowerCase(Locale.ROOT));
                        if (from == null) {
                            reply("503 5.5.1 Error: need MAIL command");
                        } else if (custom != null) {
                            reply(custom);
                        } else if (throttles("RCPT")) {
                            reply(throttleReply);
                        } else {
                            recipients.add(to);
                            reply("250 2.1.5 Ok");
                        }
                    }
                    case "DATA" -> {
                        if (!data()) {
                            return;
                        }
                    }
                    case "BDAT" -> {
                        if (!bdat(line)) {
                            return;
                        }
                    }
                    case "RSET" -> {
                        chunks.reset();
                        endTransaction();
                        from = null;
                        recipients.clear();
                        reply("250 2.0.0 Ok");
                    }
                    case "NOOP" -> {
                        noops.incrementAndGet();
                        reply("250 2.0.0 Ok");
                    }
                    case "QUIT" -> {
                        reply("221 2.0.0 Bye");
                        return;
                    }
                    default -> reply("502 5.5.2 Error: command not recognized");
                }
            }
        }

        /** @return whether the session goes on */
        private boolean data() throws IOException {
            if (from == null || recipients.isEmpty()) {
                reply("503 5.5.1 Error: need RCPT command");
                return true;
            }
            reply("354 End data with <CR><LF>.<CR><LF>");
            while (stopReadingAtData && !closed) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return false;
                }
            }
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                byte[] line = readLine();
                if (line == null) {
                    return false;
                }
                if (line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n') {
                    break;
                }
                int skip = line.length > 0 && line[0] == '.' ? 1 : 0; // dot-unstuffing (RFC 5321 4.5.2)
                message.write(line, skip, line.length - skip);
            }
            return ended(message.toByteArray());
        }

        /**
         * RFC 3030: reads exactly the chunk's bytes whatever the state, then answers; the last
         * chunk ends the message like the dot of DATA.
         */
        private boolean bdat(String line) throws IOException {
            bdats.incrementAndGet();
            String[] words = line.split(" +");
            if (!chunking || words.length < 2 || !words[1].matches("[0-9]{1,9}")) {
                reply("501 5.5.4 Syntax: BDAT size [LAST]");
                return true;
            }
            byte[] chunk = in.readNBytes(Integer.parseInt(words[1]));
            if (chunk.length < Integer.parseInt(words[1])) {
                return false;
            }
            if (from == null || recipients.isEmpty()) {
                reply("554 5.5.1 Error: no valid recipients");
                from = null;
                recipients.clear();
                return true;
            }
            chunks.write(chunk);
            if (words.length < 3 || !words[2].equalsIgnoreCase("LAST")) {
                reply("250 2.0.0 " + chunk.length + " bytes received");
                return true;
            }
            byte[] message = chunks.toByteArray();
            chunks.reset();
            return ended(message);
        }

        /** The end of a message, by DATA's dot or the last BDAT: accepted, refused or a fault. */
        private boolean ended(byte[] message) throws IOException {
            String key = recipients.get(0).toLowerCase(Locale.ROOT);
            if (dropAfterData.contains(key)) {
                return false;
            }
            if (stallAfterData) {
                stall();
                return false;
            }
            String custom = dataReplies.get(key);
            var left = dataRepliesLeft.get(key);
            if (custom != null && left != null && left.getAndDecrement() <= 0) {
                custom = null;
            }
            if (custom != null) {
                dataRefusals.incrementAndGet();
                reply(custom);
            } else {
                synchronized (transactionsAtAccept) { // the same order in both lists
                    transactionsAtAccept.add(transactions.get());
                    received.add(new Received(from, List.copyOf(recipients), message, tls, user));
                }
                accepted++;
                endTransaction(); // before the reply: the client may start the next one as soon as it has it
                reply(String.format(acceptReply, "Q" + queueIds.incrementAndGet()));
            }
            endTransaction();
            from = null;
            recipients.clear();
            return true;
        }

        void flushQuietly() {
            try {
                out.flush();
            } catch (IOException e) {
                // the client is gone
            }
        }

        void endTransaction() {
            if (inTransaction) {
                inTransaction = false;
                transactions.decrementAndGet();
            }
        }

        private boolean throttles(String verb) {
            if (!verb.equals(throttleVerb) || throttlesLeft.getAndDecrement() <= 0) {
                return false;
            }
            throttled.incrementAndGet();
            return true;
        }

        private String ehlo() {
            List<String> lines = new ArrayList<>(List.of("faulty.test", "8BITMIME", "ENHANCEDSTATUSCODES", "SIZE 10485760"));
            if (pipelining) {
                lines.add("PIPELINING");
            }
            if (chunking) {
                lines.add("CHUNKING");
            }
            if (smtpUtf8) {
                lines.add("SMTPUTF8");
            }
            if (startTls != null && !tls) {
                lines.add("STARTTLS");
            }
            if (authOffered()) {
                lines.add("AUTH " + String.join(" ", authMechanisms));
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                b.append(i > 0 ? "\r\n" : "").append(i < lines.size() - 1 ? "250-" : "250 ").append(lines.get(i));
            }
            return b.toString();
        }

        /** Like a real relay: credentials are asked for only over TLS when TLS is set up at all. */
        private boolean authOffered() {
            boolean tlsConfigured = startTls != null || implicitTls != null;
            return authUser != null && (tls || !tlsConfigured);
        }

        /**
         * RFC 3207: 220, then the handshake, then a fresh session that forgets everything the
         * client said in plain text (EHLO, envelope, login, and any bytes it sent after STARTTLS).
         * A failed handshake throws, which ends the session.
         */
        private void startTls() throws IOException {
            SSLContext context = startTls;
            if (context == null) {
                reply("502 5.5.2 Error: command not recognized");
                return;
            }
            if (tls) {
                reply("503 5.5.1 Error: TLS already active");
                return;
            }
            reply("220 2.0.0 Ready to start TLS");
            SSLSocket upgraded = serverSide(context, socket);
            upgraded.startHandshake(); // a client that refuses the certificate ends the session here
            use(upgraded);
            tls = true;
            user = null;
            from = null;
            recipients.clear();
        }

        private void auth(String line) throws IOException {
            String[] words = line.split(" ");
            String mechanism = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
            String initial = words.length > 2 ? words[2] : null;
            if (!authOffered()) {
                reply(authUser == null ? "502 5.5.2 Error: command not recognized"
                        : "538 5.7.11 Encryption required for requested authentication mechanism");
            } else if (user != null) {
                reply("503 5.5.1 Error: already authenticated");
            } else if (!authMechanisms.contains(mechanism)) {
                reply("504 5.5.4 Unrecognized authentication type");
            } else {
                check(mechanism.equals("PLAIN") ? plain(initial) : login(initial));
            }
        }

        private void check(Login login) throws IOException {
            if (login == null) {
                reply("501 5.5.2 Error: cannot decode response");
            } else if (login.user().equals(authUser) && login.password().equals(authPassword)) {
                user = login.user();
                reply("235 2.7.0 Authentication successful");
            } else {
                authFailures.incrementAndGet();
                reply("535 5.7.8 Error: authentication failed");
            }
        }

        /** RFC 4616: base64 of authzid NUL authcid NUL password, possibly after an empty 334. */
        private Login plain(String initial) throws IOException {
            String decoded = decode(initial != null ? initial : challenge(""));
            String[] parts = decoded == null ? new String[0] : decoded.split("\u0000", -1);
            return parts.length == 3 ? new Login(parts[1], parts[2]) : null;
        }

        /** The LOGIN mechanism: the user name and the password, each asked for with a 334. */
        private Login login(String initial) throws IOException {
            String name = decode(initial != null ? initial : challenge("VXNlcm5hbWU6")); // "Username:"
            String password = decode(challenge("UGFzc3dvcmQ6")); // "Password:"
            return name == null || password == null ? null : new Login(name, password);
        }

        /** Sends a 334 and returns the client's answer line. */
        private String challenge(String text) throws IOException {
            reply("334 " + text);
            byte[] raw = readLine();
            if (raw == null) {
                throw new EOFException("the client hung up during AUTH"); // ends the session
            }
            return new String(raw, StandardCharsets.US_ASCII).strip();
        }

        private static String decode(String base64) {
            try {
                return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        /** Says nothing, reading and dropping whatever arrives, until the client or close() hangs up. */
        private void stall() throws IOException {
            byte[] sink = new byte[1024];
            while (!closed) {
                try {
                    if (in.read(sink) < 0) {
                        return;
                    }
                } catch (SocketTimeoutException e) {
                    // keep stalling until closed
                } catch (SocketException e) {
                    return;
                }
            }
        }

        /**
         * Like a real relay (RFC 2920 4): replies to pipelined commands are held until no more input
         * is waiting, then sent together; one small segment per reply would meet the client's
         * delayed acknowledgements (40 ms each).
         */
        private void reply(String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
            if (in.available() == 0) {
                out.flush();
            }
        }

        /** The next command line, or null at end of stream or when the idle timeout hung up. */
        private byte[] readCommand() throws IOException {
            int idle = idleTimeoutMillis;
            if (idle <= 0) {
                return readLine();
            }
            socket.setSoTimeout(idle);
            try {
                return readLine();
            } catch (SocketTimeoutException e) {
                idleDrops.incrementAndGet();
                reply("421 4.4.2 faulty.test Error: timeout exceeded");
                return null;
            } finally {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                }
            }
        }

        /** A line with its CRLF (or bare LF), or null at end of stream. */
        private byte[] readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            int b;
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    return line.toByteArray();
                }
            }
            return line.size() == 0 ? null : line.toByteArray();
        }

        private record Login(String user, String password) {
        }

        private static String address(String command) {
            int open = command.indexOf('<');
            int close = command.indexOf('>', open + 1);
            return open >= 0 && close > open ? command.substring(open + 1, close) : "";
        }
    }
}
