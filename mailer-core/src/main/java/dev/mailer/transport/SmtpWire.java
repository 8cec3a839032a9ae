package dev.mailer.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The bytes of one SMTP session: a socket (plain, TLS from the first byte, or upgraded by
 * STARTTLS), commands and message bodies buffered until {@link #flush}, and replies read line by
 * line. Knows nothing of what the commands mean.
 *
 * <p>Every read waits at most the relay's timeout (the socket's read timeout); every write too,
 * enforced by {@link WriteWatch} closing the socket, since a socket write has no timeout of its
 * own and a relay that stops reading would hold the sender for ever.
 */
final class SmtpWire implements AutoCloseable {
    /** Most messages fit: one flush is then one write to the socket (one TLS record run). */
    private static final int OUT_BUFFER = 64 * 1024;
    /** RFC 5321 allows 512 octets per reply line; real servers go over, but not this far. */
    private static final int MAX_LINE = 8 * 1024;
    /** Multi-line replies longer than this are not SMTP. */
    private static final int MAX_LINES = 256;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] END_OF_DATA = {'.', '\r', '\n'};

    private final String host;
    private final int port;
    private final long timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] line = new byte[MAX_LINE];

    private SmtpWire(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeout.toMillis();
    }

    /**
     * Connects, and with {@code implicitTls} speaks TLS from the first byte.
     *
     * @param tls makes the TLS sockets: it decides which certificates are trusted; the host name is
     *            checked against the certificate here either way
     */
    static SmtpWire open(String host, int port, Duration timeout, boolean implicitTls, SSLSocketFactory tls)
            throws IOException {
        SmtpWire wire = new SmtpWire(host, port, timeout);
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true); // commands are written whole and flushed: no reason to wait for acks
            plain.setKeepAlive(true);
            plain.connect(new InetSocketAddress(host, port), (int) wire.timeoutMillis);
            plain.setSoTimeout((int) wire.timeoutMillis);
            wire.use(implicitTls ? wire.handshake(plain, tls) : plain);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
        return wire;
    }

    /** STARTTLS (RFC 3207): after the server's 220, layers TLS over the same socket. */
    void startTls(SSLSocketFactory tls) throws IOException {
        if (in.available() > 0) {
            // bytes before the handshake could only be injected by someone in the middle (CVE-2011-0411)
            throw new ProtocolException("the server sent data after its STARTTLS reply");
        }
        use(handshake(socket, tls));
    }

    boolean secure() {
        return socket instanceof SSLSocket;
    }

    /** Buffers one command line; {@link #flush} sends it. */
    void command(String command) throws IOException {
        out.write(command.getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
    }

    /**
     * Buffers a message for DATA: dot-stuffed (RFC 5321 4.5.2), ended with CRLF if it was not,
     * then the lone dot.
     */
    void dataBody(byte[] message) throws IOException {
        int from = 0;
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (lineStart && b == '.') {
                out.write(message, from, i - from);
                out.write('.');
                from = i;
            }
            lineStart = b == '\n';
        }
        out.write(message, from, message.length - from);
        if (!lineStart || message.length < 2 || message[message.length - 2] != '\r') {
            out.write(CRLF);
        }
        out.write(END_OF_DATA);
    }

    /** Buffers a BDAT chunk's bytes (RFC 3030): as they are, nothing stuffed. */
    void chunk(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    /** Sends everything buffered. */
    void flush() throws IOException {
        out.flush();
    }

    /** Reads one reply, all its lines. */
    SmtpReply read() throws IOException {
        StringBuilder text = new StringBuilder(64);
        for (int lines = 1; ; lines++) {
            int length = readLine();
            if (length < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2])
                    || length > 3 && line[3] != ' ' && line[3] != '-') {
                throw new ProtocolException("not an SMTP reply: "
                        + new String(line, 0, Math.min(length, 80), StandardCharsets.UTF_8));
            }
            int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(new String(line, 0, length, StandardCharsets.UTF_8));
            if (length == 3 || line[3] == ' ') {
                return new SmtpReply(code, text.toString());
            }
            if (lines == MAX_LINES) {
                throw new ProtocolException("a reply of more than " + MAX_LINES + " lines");
            }
        }
    }

    /** Closes the socket at once; never throws. */
    @Override
    public void close() {
        closeQuietly(socket);
    }

    /** @return the line's length without its line end (CRLF, or a bare LF) */
    private int readLine() throws IOException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("the server closed the connection");
            }
            if (b == '\n') {
                return length > 0 && line[length - 1] == '\r' ? length - 1 : length;
            }
            if (length == MAX_LINE) {
                throw new ProtocolException("a reply line longer than " + MAX_LINE + " bytes");
            }
            line[length++] = (byte) b;
        }
    }

    private SSLSocket handshake(Socket plain, SSLSocketFactory tls) throws IOException {
        SSLSocketFactory factory = tls != null ? tls : (SSLSocketFactory) SSLSocketFactory.getDefault();
        SSLSocket secure = (SSLSocket) factory.createSocket(plain, host, port, true);
        SSLParameters parameters = secure.getSSLParameters();
        // RFC 6125 host name rules, as for HTTPS: the certificate must name the host of the URL
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(parameters);
        secure.setUseClientMode(true);
        secure.setSoTimeout((int) timeoutMillis);
        long started = WriteWatch.start(plain, timeoutMillis); // the handshake writes too
        try {
            secure.startHandshake();
        } finally {
            WriteWatch.done(started);
        }
        return secure;
    }

    private void use(Socket s) throws IOException {
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 4096);
        out = new BufferedOutputStream(new GuardedOutput(s), OUT_BUFFER);
    }

    /** The socket's output, each write given at most the timeout. */
    private final class GuardedOutput extends OutputStream {
        private final Socket target;
        private final OutputStream raw;

        GuardedOutput(Socket target) throws IOException {
            this.target = target;
            this.raw = target.getOutputStream();
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long started = WriteWatch.start(target, timeoutMillis);
            try {
                raw.write(b, off, len);
            } finally {
                WriteWatch.done(started);
            }
        }

        @Override
        public void flush() throws IOException {
            raw.flush();
        }
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    static void closeQuietly(Socket s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
