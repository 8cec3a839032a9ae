package dev.mailer.feedback.http;

import dev.mailer.optin.ConsentConfirmation;
import dev.mailer.optin.PreferenceCentre;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.feedback.webhooks.HttpsFetcher;
import dev.mailer.feedback.webhooks.Webhooks;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mailer serve}: the HTTP side of the feedback loop on Jetty — one-click and page
 * unsubscribes ({@code /u/TOKEN}), double opt-in confirmations ({@code /c/TOKEN}), the providers'
 * webhooks ({@code /webhooks/NAME}, those that are on) and {@code /healthz}. Meant to run behind a
 * reverse proxy that terminates TLS, but safe to expose.
 *
 * <p>Bounded everywhere a client could pin it. Jetty reads requests on its selector, so a slow
 * client holds a connection, never a worker: a worker runs only once a request is complete.
 * Each client address may hold {@link ServerSettings#connectionsPerClient()} connections (not
 * behind a trusted proxy, where every request comes from the proxy); a connection that has not sent its
 * first request's headers within {@value #MAX_REQUEST_SECONDS} s, or a body within as long
 * after its headers, is closed; an idle one after {@value #IDLE_SECONDS} s; bodies are capped (the
 * forms' small, a webhook that is on at {@link ServerSettings#MAX_WEBHOOK_BODY_BYTES});
 * workers are few. Answers go out with TCP_NODELAY.
 */
public final class FeedbackServer implements AutoCloseable {
    /** Who records, in consent records and the audit log. */
    public static final String ORIGIN = "mailer serve";

    /** Seconds a client has to send a request's headers, and then its body. */
    static final int MAX_REQUEST_SECONDS = 10;
    static final int IDLE_SECONDS = 10;
    private static final int BACKLOG = 128;
    /** How long a stop waits for requests in progress. */
    private static final long STOP_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(FeedbackServer.class);

    private final Server server;
    private final ServerConnector connector;

    private FeedbackServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /** As {@link #start(FeedbackRecorder, ConsentConfirmation, PreferenceCentre, BooleanSupplier, ServerSettings, InetSocketAddress, Consumer)} without an access log. */
    public static FeedbackServer start(FeedbackRecorder recorder, ConsentConfirmation confirmation,
                                       PreferenceCentre preferences, BooleanSupplier databaseAnswers,
                                       ServerSettings settings, InetSocketAddress address) {
        return start(recorder, confirmation, preferences, databaseAnswers, settings, address, line -> { });
    }

    /**
     * Starts listening.
     *
     * @param databaseAnswers whether the database answers now, for {@code GET /healthz}
     * @param address where to listen; port 0 picks a free one (see {@link #address()})
     * @param accessLog told one line per request: method, route without token, status, time; no addresses
     * @throws MailerException busy when the port is taken; usage when the address cannot be used
     */
    public static FeedbackServer start(FeedbackRecorder recorder, ConsentConfirmation confirmation,
                                       PreferenceCentre preferences, BooleanSupplier databaseAnswers,
                                       ServerSettings settings, InetSocketAddress address,
                                       Consumer<String> accessLog) {
        Pages pages = new Pages(settings.organisation(), settings.purposes());
        // one count per address for the sign-up form and the preference centre's grants
        SignUpLimits limits = new SignUpLimits(settings.signUp().perAddressPerDay(), settings.signUp().perIpPerHour());
        Webhooks webhooks = Webhooks.of(settings.webhooks(), recorder, settings.tokens(),
                settings.snsFetch() != null ? settings.snsFetch()
                        : settings.webhooks().ses() ? HttpsFetcher.jvmTrust() : null);
        Router router = new Router(new UnsubscribeEndpoint(recorder, pages, settings),
                new ConfirmEndpoint(confirmation, pages, settings),
                new SubscribeEndpoint(java.util.Optional.ofNullable(settings.signUps()), settings.purposes(),
                        settings.signUp(), limits, pages, settings.trustProxy()),
                new PreferencesEndpoint(preferences, pages, settings, limits), databaseAnswers, pages, webhooks);

        // workers for complete requests, plus the threads Jetty itself needs (acceptor, selector)
        QueuedThreadPool threads = new QueuedThreadPool(settings.threads() + 4, 2, 60_000);
        threads.setName("mailer-serve");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(8 * 1024);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(TimeUnit.SECONDS.toMillis(IDLE_SECONDS));
        connector.setAcceptQueueSize(BACKLOG);
        connector.setAcceptedTcpNoDelay(true);
        connector.addEventListener(new ClientConnections(settings.trustProxy() ? Integer.MAX_VALUE
                : settings.connectionsPerClient(), TimeUnit.SECONDS.toMillis(MAX_REQUEST_SECONDS),
                server.getScheduler()));
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(new RequestHandler(router,
                path -> router.takesLargeBodies(path) ? ServerSettings.MAX_WEBHOOK_BODY_BYTES : settings.maxBodyBytes(),
                server.getScheduler(), accessLog)));
        server.setStopTimeout(STOP_MILLIS);
        server.setStopAtShutdown(false); // mailer stops it itself, after SIGTERM
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            throw startFailure(address, e);
        }
        return new FeedbackServer(server, connector);
    }

    /** Where it listens, with the real port when 0 was asked for. */
    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    /** Stops taking requests, lets those in progress finish (up to 5 s), and stops. */
    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the HTTP server: {}", Router.describe(e));
        }
    }

    private static MailerException startFailure(InetSocketAddress address, Exception e) {
        BindException bind = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BindException b) {
                bind = b;
                break;
            }
        }
        if (bind == null) {
            return new MailerException(ErrorKind.USAGE, "Cannot listen on " + shown(address) + ": " + e.getMessage()
                    + ".", e);
        }
        String reason = bind.getMessage() == null ? "" : bind.getMessage().toLowerCase(java.util.Locale.ROOT);
        if (reason.contains("in use")) {
            return new MailerException(ErrorKind.BUSY, "Port " + address.getPort() + " is already in use by another"
                    + " program; stop it or choose another port with --port.", e);
        }
        if (reason.contains("permission")) {
            return new MailerException(ErrorKind.USAGE, "Not allowed to listen on port " + address.getPort()
                    + " (ports below 1024 need extra rights); choose a port above 1024 with --port.", e);
        }
        return new MailerException(ErrorKind.USAGE, "Cannot listen on " + shown(address) + " (" + bind.getMessage()
                + "); give --bind an address of this machine.", e);
    }

    private static String shown(InetSocketAddress address) {
        return (address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress())
                + ":" + address.getPort();
    }
}
