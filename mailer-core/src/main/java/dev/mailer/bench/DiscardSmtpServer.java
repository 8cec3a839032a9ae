package dev.mailer.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SMTP sink on loopback for the send benchmark (like Postfix's smtp-sink): speaks just enough
 * ESMTP to accept messages, throws them away and counts them. Plain TCP, no TLS.
 */
public final class DiscardSmtpServer implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final Thread acceptor;

    public DiscardSmtpServer() throws IOException {
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "smtp-sink");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public long messages() {
        return messages.get();
    }

    public long connections() {
        return connections.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Thread thread = new Thread(() -> serve(socket), "smtp-sink-session");
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = new Input(socket.getInputStream());
             OutputStream out = socket.getOutputStream()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            reply(out, "220 sink ESMTP ready");
            StringBuilder line = new StringBuilder();
            while (readLine(in, line)) {
                String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line.toString();
                switch (command) {
                    case "EHLO" -> reply(out, "250-sink\r\n250-8BITMIME\r\n250 SIZE 52428800");
                    case "HELO", "MAIL", "RCPT", "RSET", "NOOP" -> reply(out, "250 2.0.0 OK");
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        if (!skipData(in)) {
                            return;
                        }
                        reply(out, "250 2.0.0 Ok: queued as S" + messages.incrementAndGet());
                    }
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 Command not recognized");
                }
            }
        } catch (SocketException e) {
            // the client went away
        } catch (IOException e) {
            // a sink: nothing to report
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static boolean readLine(InputStream in, StringBuilder line) throws IOException {
        line.setLength(0);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return true;
            }
            line.append((char) c);
        }
        return false;
    }

    /** Reads to the CRLF.CRLF that ends DATA. */
    private static boolean skipData(InputStream in) throws IOException {
        int state = 2; // as if just after a CRLF: a message may start with "."
        int c;
        while ((c = in.read()) >= 0) {
            state = switch (state) {
                case 0 -> c == '\r' ? 1 : 0;
                case 1 -> c == '\n' ? 2 : (c == '\r' ? 1 : 0);
                case 2 -> c == '.' ? 3 : (c == '\r' ? 1 : 0);
                case 3 -> c == '\r' ? 4 : 0;
                case 4 -> c == '\n' ? 5 : 0;
                default -> 0;
            };
            if (state == 5) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** BufferedInputStream without its lock per byte: the sink reads every byte of every message. */
    private static final class Input extends InputStream {
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int position;
        private int limit;

        Input(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return -1;
                }
            }
            return buffer[position++] & 0xff;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
