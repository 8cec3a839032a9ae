package dev.mailer.feedback.http;

import com.sun.net.httpserver.HttpServer;
import dev.mailer.optin.ConsentConfirmation;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.feedback.FeedbackRecorder;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mailer serve}: the HTTP side of the feedback loop on the JDK's own server — one-click
 * and page unsubscribes ({@code /u/TOKEN}), double opt-in confirmations ({@code /c/TOKEN}) and
 * {@code /healthz}. Meant to run behind a reverse proxy that terminates TLS.
 *
 * <p>Bounded everywhere a client could pin it: a fixed number of worker threads with a short
 * queue, request bodies capped, and the JDK server's time limits for reading a request and
 * writing a response set, so slow clients are cut off instead of holding threads.
 */
public final class FeedbackServer implements AutoCloseable {
    /** Who records, in consent records and the audit log. */
    public static final String ORIGIN = "mailer serve";

    /** Seconds a client has to send a whole request, and to take a whole response. */
    static final int MAX_REQUEST_SECONDS = 10;
    static final int MAX_RESPONSE_SECONDS = 30;
    private static final int QUEUE = 256;
    private static final int BACKLOG = 128;
    private static final Logger LOG = LoggerFactory.getLogger(FeedbackServer.class);

    private final HttpServer server;
    private final ThreadPoolExecutor workers;

    private FeedbackServer(HttpServer server, ThreadPoolExecutor workers) {
        this.server = server;
        this.workers = workers;
    }

    /**
     * Starts listening.
     *
     * @param databaseAnswers whether the database answers now, for {@code GET /healthz}
     * @param address where to listen; port 0 picks a free one (see {@link #address()})
     * @throws MailerException busy when the port is taken; usage when the address cannot be used
     */
    public static FeedbackServer start(FeedbackRecorder recorder, ConsentConfirmation confirmation,
                                       BooleanSupplier databaseAnswers, ServerSettings settings,
                                       InetSocketAddress address) {
        applyConnectionLimits();
        Pages pages = new Pages(settings.organisation());
        Router router = new Router(new UnsubscribeEndpoint(recorder, pages, settings),
                new ConfirmEndpoint(confirmation, pages, settings), databaseAnswers, pages, settings.maxBodyBytes());
        HttpServer server;
        try {
            server = HttpServer.create(address, BACKLOG);
        } catch (BindException e) {
            throw bindFailure(address, e);
        } catch (IOException e) {
            throw new MailerException(ErrorKind.USAGE, "Cannot listen on " + shown(address) + ": " + e.getMessage()
                    + ".", e);
        }
        ThreadPoolExecutor workers = new ThreadPoolExecutor(settings.threads(), settings.threads(), 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), workerThreads(),
                // the JDK server closes a connection nobody answers once its request time is up
                (request, pool) -> LOG.warn("All {} workers busy and {} requests waiting: a request was dropped.",
                        settings.threads(), QUEUE));
        workers.allowCoreThreadTimeOut(true);
        server.setExecutor(workers);
        server.createContext("/", router);
        server.start();
        return new FeedbackServer(server, workers);
    }

    /** Where it listens, with the real port when 0 was asked for. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops taking requests, lets those in progress finish (up to a few seconds), and stops. */
    @Override
    public void close() {
        server.stop(2);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The JDK server reads these once, when its first instance is made; without them it waits for
     * a slow client forever. Set only when the operator has not set them (-D on the command line).
     * With no draining, a body left unread (one refused as too large) closes the connection at
     * once instead of holding a worker while the server reads and discards up to 64 KB of it.
     */
    private static void applyConnectionLimits() {
        setIfAbsent("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        setIfAbsent("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
        setIfAbsent("sun.net.httpserver.drainAmount", 0);
    }

    private static void setIfAbsent(String property, int seconds) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(seconds));
        }
    }

    private static MailerException bindFailure(InetSocketAddress address, BindException e) {
        String reason = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        if (reason.contains("in use")) {
            return new MailerException(ErrorKind.BUSY, "Port " + address.getPort() + " is already in use by another"
                    + " program; stop it or choose another port with --port.", e);
        }
        if (reason.contains("permission")) {
            return new MailerException(ErrorKind.USAGE, "Not allowed to listen on port " + address.getPort()
                    + " (ports below 1024 need extra rights); choose a port above 1024 with --port.", e);
        }
        return new MailerException(ErrorKind.USAGE, "Cannot listen on " + shown(address) + " (" + e.getMessage()
                + "); give --bind an address of this machine.", e);
    }

    private static String shown(InetSocketAddress address) {
        return (address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress())
                + ":" + address.getPort();
    }

    private static ThreadFactory workerThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "mailer-serve-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
