package dev.mailer.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SMTP sink on loopback for the send benchmark, built like Postfix's smtp-sink: one thread
 * and a selector serve every connection, accept messages, throw them away and count them. (A
 * thread per connection was tried first: with 48 connections on 2 cores, the sink's own thread
 * switches cost the sender a fifth of its speed.) Plain TCP, no TLS; it offers PIPELINING,
 * as smtp-sink does, and answers pipelined commands in order.
 */
public final class DiscardSmtpServer implements AutoCloseable {
    private static final byte[] GREETING = ascii("220 sink ESMTP ready\r\n");
    private static final byte[] EHLO = ascii("250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n");
    /** What Postfix's smtpd says since 3.4 (and Gmail's and Microsoft's servers): CHUNKING too. */
    private static final byte[] EHLO_CHUNKING =
            ascii("250-sink\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n");
    private static final byte[] OK = ascii("250 2.0.0 OK\r\n");
    private static final byte[] GO_AHEAD = ascii("354 End data with <CR><LF>.<CR><LF>\r\n");
    private static final byte[] BYE = ascii("221 2.0.0 Bye\r\n");
    private static final byte[] UNKNOWN = ascii("502 5.5.2 Command not recognized\r\n");
    private static final int MAX_LINE = 4096;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong chunked = new AtomicLong();
    private final Thread loop;
    private volatile boolean closed;
    private final boolean chunking;

    /** A sink that offers PIPELINING only, as Postfix's smtp-sink does. */
    public DiscardSmtpServer() throws IOException {
        this(false);
    }

    /** @param chunking whether it offers CHUNKING (RFC 3030) and takes BDAT as well */
    public DiscardSmtpServer(boolean chunking) throws IOException {
        this.chunking = chunking;
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        loop = new Thread(this::run, "smtp-sink");
        loop.setDaemon(true);
        loop.start();
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    public long messages() {
        return messages.get();
    }

    /** Of {@link #messages()}, how many came by BDAT. */
    public long chunkedMessages() {
        return chunked.get();
    }

    public long connections() {
        return connections.get();
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
        while (!closed) {
            try {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.isReadable()) {
                        read(key, buffer);
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel channel = server.accept();
        if (channel == null) {
            return;
        }
        connections.incrementAndGet();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Session session = new Session(channel);
        channel.register(selector, SelectionKey.OP_READ, session);
        session.send(GREETING);
    }

    private void read(SelectionKey key, ByteBuffer buffer) {
        Session session = (Session) key.attachment();
        try {
            buffer.clear();
            int n = session.channel.read(buffer);
            if (n < 0) {
                session.close();
                return;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                if (!session.consume(buffer.get())) {
                    session.close();
                    return;
                }
            }
        } catch (IOException e) {
            session.close();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
        server.close();
    }

    /** One SMTP conversation: command lines, or the body of a DATA until CRLF.CRLF. */
    private final class Session {
        private final SocketChannel channel;
        private final byte[] line = new byte[MAX_LINE];
        private int length;
        private boolean inData;
        /** Bytes of a BDAT chunk still to come, and whether it is the message's last. */
        private long chunkLeft;
        private boolean lastChunk;
        /** Where the end-of-data matcher is: 2 = just after a CRLF (a body may start with "."). */
        private int dataState;

        Session(SocketChannel channel) {
            this.channel = channel;
        }

        /** @return false when the conversation is over */
        boolean consume(byte b) throws IOException {
            if (chunkLeft > 0) {
                if (--chunkLeft == 0) {
                    chunkEnded();
                }
                return true;
            }
            if (inData) {
                dataState = switch (dataState) {
                    case 0 -> b == '\r' ? 1 : 0;
                    case 1 -> b == '\n' ? 2 : (b == '\r' ? 1 : 0);
                    case 2 -> b == '.' ? 3 : (b == '\r' ? 1 : 0);
                    case 3 -> b == '\r' ? 4 : 0;
                    case 4 -> b == '\n' ? 5 : 0;
                    default -> 0;
                };
                if (dataState == 5) {
                    inData = false;
                    accepted();
                }
                return true;
            }
            if (b != '\n') {
                if (length < MAX_LINE) {
                    line[length++] = b;
                }
                return true;
            }
            String command = new String(line, 0, Math.min(length, 4), StandardCharsets.US_ASCII)
                    .toUpperCase(Locale.ROOT);
            String arguments = length > 5 ? new String(line, 5, length - 5, StandardCharsets.US_ASCII).strip() : "";
            length = 0;
            switch (command) {
                case "EHLO" -> send(chunking ? EHLO_CHUNKING : EHLO);
                case "BDAT" -> {
                    String[] words = arguments.split(" +");
                    if (!chunking || !words[0].matches("[0-9]{1,12}")) {
                        send(UNKNOWN);
                        return true;
                    }
                    chunkLeft = Long.parseLong(words[0]);
                    lastChunk = words.length > 1 && words[1].equalsIgnoreCase("LAST");
                    if (lastChunk) {
                        chunked.incrementAndGet();
                    }
                    if (chunkLeft == 0) {
                        chunkEnded();
                    }
                }
                case "HELO", "MAIL", "RCPT", "RSET", "NOOP" -> send(OK);
                case "DATA" -> {
                    inData = true;
                    dataState = 2;
                    send(GO_AHEAD);
                }
                case "QUIT" -> {
                    send(BYE);
                    return false;
                }
                default -> send(UNKNOWN);
            }
            return true;
        }

        private void chunkEnded() throws IOException {
            if (lastChunk) {
                accepted();
            } else {
                send(OK);
            }
        }

        /** The end of a message: counted, and answered as Postfix does. */
        private void accepted() throws IOException {
            send(ascii("250 2.0.0 Ok: queued as S" + messages.incrementAndGet() + "\r\n"));
        }

        /** Replies are a few bytes: the socket buffer takes them whole unless the client stopped reading. */
        void send(byte[] reply) throws IOException {
            ByteBuffer out = ByteBuffer.wrap(reply);
            for (int spins = 0; out.hasRemaining(); spins++) {
                if (channel.write(out) == 0 && spins > 1000) {
                    throw new IOException("the client does not read its replies");
                }
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // a sink: nothing to report
            }
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
