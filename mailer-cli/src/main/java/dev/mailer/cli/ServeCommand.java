package dev.mailer.cli;

import dev.mailer.config.WebhooksConfig;
import dev.mailer.error.MailerException;
import dev.mailer.feedback.http.FeedbackServer;
import dev.mailer.feedback.http.ServerSettings;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {
                "Serve the links in messages: one-click unsubscribe (RFC 8058: POST /u/TOKEN), the unsubscribe page"
                        + " (GET /u/TOKEN; a GET alone never unsubscribes), double opt-in confirmations (/c/TOKEN)"
                        + " and GET /healthz. Runs until Ctrl-C or SIGTERM.",
                "Sending providers may report bounces, complaints and unsubscribes to POST /webhooks/ses, /mailgun,"
                        + " /sendgrid and /postmark: each is on when webhooks: in mailer.yaml (or its environment"
                        + " variable) gives what proves a request comes from that provider.",
                "It speaks plain HTTP: run it behind a reverse proxy (nginx, Caddy) that terminates TLS for the"
                        + " host in unsubscribe-base-url, and use --trust-proxy so the proxy's X-Forwarded-For is"
                        + " recorded as the client's address.",
        },
        footer = {"", "Examples:",
                "  mailer serve --port 8080",
                "  mailer serve --port 8080 --trust-proxy    # behind nginx/Caddy here",
                "  mailer serve --bind 0.0.0.0 --port 8080   # in a container",
                "  mailer serve --no-access-log              # no line per request"})
final class ServeCommand implements Callable<Integer> {
    private static final long WATCHDOG_SECONDS = 5;

    private final CliContext context;
    private volatile String lastWatchdogProblem;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}, for a reverse proxy on this machine;"
                    + " 0.0.0.0 for every interface, e.g. in a container).")
    String bind;

    @Option(names = "--trust-proxy",
            description = "Take the client's address from the first X-Forwarded-For entry. Only behind a proxy"
                    + " that sets it: otherwise clients could write any address into the consent evidence.")
    boolean trustProxy;

    @Option(names = "--no-access-log",
            description = "Do not print a line per request. The access log (on standard output) has the time, method,"
                    + " route without its token (/u/…), status and milliseconds: never a token, an address or an IP.")
    boolean noAccessLog;

    ServeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw MailerException.usage("--port must be a number from 0 to 65535, not " + port + ".");
        }
        InetSocketAddress address = new InetSocketAddress(address(bind), port);
        context.databaseTimeouts(dev.mailer.store.DatabaseSettings.Timeouts.REQUESTS);
        ServerSettings settings = ServerSettings.of(context.tokens(), context.config().sender().organisation(),
                trustProxy).withPurposes(context.config().purposes());
        SignUpForm form = SignUpForm.open(context);
        settings = form.apply(settings);
        WebhooksConfig webhooks = webhooks();
        settings = settings.withWebhooks(webhooks);
        CountDownLatch stop = new CountDownLatch(1);
        // SIGINT and SIGTERM end the wait: the server stops taking requests, finishes those in
        // progress, and the database closes before exit 0
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "embedded-database-watchdog");
            t.setDaemon(true);
            return t;
        });
        try (form;
             Interrupts.Registration signals = Interrupts.onInterrupt(stop::countDown);
             FeedbackServer server = context.engine().serve(settings, address, accessLog())) {
            context.out().println("mailer serve listening on " + url(server.address()) + " (Ctrl-C to stop)");
            context.out().println("sign-up form (POST /subscribe): " + form.status());
            context.out().println("provider webhooks: " + webhookStatus(webhooks));
            watchdog.scheduleWithFixedDelay(this::restartDatabaseIfDown, WATCHDOG_SECONDS, WATCHDOG_SECONDS,
                    TimeUnit.SECONDS);
            stop.await();
            context.out().println("mailer serve stopping: no new requests; finishing those in progress (at most 5 s)");
            context.out().flush();
        } finally {
            watchdog.shutdownNow();
        }
        context.out().println("mailer serve stopped");
        return 0;
    }

    /**
     * {@code webhooks:} from mailer.yaml, each secret replaceable by its environment variable (so it
     * need not sit in the file): MAILER_MAILGUN_SIGNING_KEY, MAILER_SENDGRID_PUBLIC_KEY,
     * MAILER_POSTMARK_USER, MAILER_POSTMARK_PASSWORD.
     */
    private WebhooksConfig webhooks() {
        WebhooksConfig webhooks = context.config().webhooks()
                .withMailgunSigningKey(context.env("MAILER_MAILGUN_SIGNING_KEY"));
        String sendgrid = context.env("MAILER_SENDGRID_PUBLIC_KEY");
        if (sendgrid != null) {
            try {
                WebhooksConfig.sendgridKey(sendgrid);
            } catch (IllegalArgumentException e) {
                throw MailerException.usage("MAILER_SENDGRID_PUBLIC_KEY must " + e.getMessage() + ".");
            }
            webhooks = webhooks.withSendgridPublicKey(sendgrid.strip());
        }
        try {
            return webhooks.withPostmark(context.env("MAILER_POSTMARK_USER"), context.env("MAILER_POSTMARK_PASSWORD"));
        } catch (IllegalArgumentException e) {
            throw MailerException.usage("Postmark's webhook needs both a user and a password: give webhooks.postmark"
                    + " in mailer.yaml, or MAILER_POSTMARK_USER and MAILER_POSTMARK_PASSWORD.");
        }
    }

    /** Which are on, never with a secret: {@code on: POST /webhooks/mailgun, /webhooks/ses (…)}. */
    private static String webhookStatus(WebhooksConfig webhooks) {
        if (!webhooks.any()) {
            return "off (webhooks: in mailer.yaml)";
        }
        java.util.List<String> on = new java.util.ArrayList<>();
        if (webhooks.ses()) {
            on.add("/webhooks/ses (SNS topics " + String.join(", ", webhooks.sesTopicArns()) + ")");
        }
        if (webhooks.mailgunSigningKey() != null) {
            on.add("/webhooks/mailgun");
        }
        if (webhooks.sendgridPublicKey() != null) {
            on.add("/webhooks/sendgrid");
        }
        if (webhooks.postmarkUser() != null) {
            on.add("/webhooks/postmark");
        }
        return "on: POST " + String.join(", ", on);
    }

    private java.util.function.Consumer<String> accessLog() {
        if (noAccessLog) {
            return line -> { };
        }
        java.io.PrintStream out = context.out();
        return line -> out.println(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + " " + line);
    }

    /** serve runs for months: an embedded server that crashed is started again, not waited for. */
    private void restartDatabaseIfDown() {
        try {
            if (context.database().restartEmbeddedIfDown()) {
                context.err().println("mailer serve: the embedded database had stopped; started it again");
            }
        } catch (RuntimeException e) {
            String message = e.getMessage();
            if (!java.util.Objects.equals(message, lastWatchdogProblem)) {
                context.err().println("mailer serve: the embedded database is down and could not be started: " + message);
                lastWatchdogProblem = message;
            }
        }
    }

    private static InetAddress address(String bind) {
        try {
            return InetAddress.getByName(bind.strip());
        } catch (UnknownHostException e) {
            throw MailerException.usage("--bind '" + bind + "' is not an address of this machine, e.g. 127.0.0.1.");
        }
    }

    private static String url(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String host = ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return "http://" + host + ":" + address.getPort() + "/";
    }
}
