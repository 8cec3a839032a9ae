package dev.mailer.cli.bench;

import dev.mailer.cli.CliContext;
import dev.mailer.config.ConfigFileValues;
import dev.mailer.config.Purposes;
import dev.mailer.config.ServeConfig;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.feedback.http.FeedbackServer;
import dev.mailer.feedback.http.ServerSettings;
import dev.mailer.message.Token;
import dev.mailer.optin.DoubleOptIn;
import dev.mailer.optin.SignUpMailer;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.Sender;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mailer bench serve}: serve's two public writes under a bounded local load — one-click
 * unsubscribes and sign-ups from many concurrent clients — with their latency, and a check that
 * every 200 was recorded exactly once. Runs a real server over the configured database (use a
 * throw-away MAILER_HOME), the confirmation mails into a built-in SMTP sink.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Time mailer serve's one-click unsubscribe and sign-up form under concurrent clients on"
                + " loopback, and check that every 200 was recorded exactly once. Creates its own contacts"
                + " (bench-serve-…@bench.invalid) in the configured database: run it against a throw-away"
                + " MAILER_HOME."},
        footer = {"", "Examples:",
                "  MAILER_HOME=/tmp/bench ./mailer bench serve",
                "  MAILER_HOME=/tmp/bench ./mailer bench serve --clients 50 --seconds 30 --json"})
final class BenchServeCommand implements Callable<Integer> {
    private static final String PURPOSE = "newsletter";
    private static final String ONE_CLICK = "List-Unsubscribe=One-Click";

    private final CliContext context;

    @Option(names = "--clients", defaultValue = "50", paramLabel = "N",
            description = "Concurrent clients (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--seconds", defaultValue = "30", paramLabel = "S",
            description = "Seconds for each of the two phases (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--contacts", defaultValue = "200000", paramLabel = "N",
            description = "Contacts created for one-click unsubscribes; the phase ends early when all are used"
                    + " (default ${DEFAULT-VALUE}).")
    int contacts;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    BenchServeCommand(CliContext context) {
        this.context = context;
    }

    /** One phase's answers: status counts and every latency, in microseconds. */
    private static final class Phase {
        final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        final List<long[]> latencies = new ArrayList<>();
        double elapsed;

        long count(int status) {
            AtomicLong n = statuses.get(status);
            return n == null ? 0 : n.get();
        }

        Map<String, Object> summary() {
            long[] all = latencies.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("requests", all.length);
            Map<String, Long> byStatus = new LinkedHashMap<>();
            statuses.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> byStatus.put(Integer.toString(e.getKey()), e.getValue().get()));
            out.put("statuses", byStatus);
            out.put("requestsPerSecond", Math.round(all.length / elapsed));
            out.put("p50Ms", percentile(all, 0.50));
            out.put("p95Ms", percentile(all, 0.95));
            out.put("p99Ms", percentile(all, 0.99));
            out.put("maxMs", all.length == 0 ? 0 : all[all.length - 1] / 1000.0);
            return out;
        }

        private static double percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            return Math.round(sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 10.0) / 100.0;
        }
    }

    @Override
    public Integer call() throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        long[] ids = createContacts(run);
        long campaign = createCampaign(run);
        Purposes purposes = new Purposes(Map.of(PURPOSE, new Purposes.Purpose(PURPOSE, Map.of(), "bench")));
        // no cap in the way: the bench measures the server, not the abuse limits
        ServeConfig limits = new ServeConfig(List.of(), List.of(), 1_000_000, 1_000_000);
        try (DiscardSmtpServer sink = new DiscardSmtpServer();
             SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse("smtp://127.0.0.1:" + sink.port() + "?tls=none&connections=4")))) {
            SignUpMailer[] mailer = new SignUpMailer[1];
            ServerSettings settings = ServerSettings.of(context.tokens(), "bench", true).withSignUpForm(purposes,
                    limits, signUp -> mailer[0].submit(signUp));
            try (FeedbackServer server = context.engine().serve(settings,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                String base = "http://127.0.0.1:" + server.address().getPort();
                ConfigFileValues config = new ConfigFileValues(null, null, List.of(), null, URI.create(base),
                        EmailAddress.parse("bounces@bench.invalid").orElseThrow(), null, null,
                        ConfigFileValues.Sender.NONE, null, null, purposes, limits);
                mailer[0] = new SignUpMailer(context.engine().doubleOptIn(
                        DoubleOptIn.settings(config, "Bench <news@bench.invalid>", context.tokens()), "bench serve"),
                        new Sender(pool, new Throttle(null, Map.of())), purposes);
                try {
                    long today = LocalDate.now().toEpochDay();
                    String domain = "@bench.invalid";
                    Phase oneClick = load(ids.length, i -> {
                        long id = ids[(int) i];
                        String token = context.tokens().sign(new Token(Token.Kind.UNSUBSCRIBE, campaign, id, null,
                                today, "bench-serve-" + run + "-" + (i + 1) + domain));
                        return post(base + "/u/" + token, ONE_CLICK, null);
                    });
                    Phase signUp = load(Long.MAX_VALUE, i -> post(base + "/subscribe", "email=bench-serve-" + run
                            + "-s" + i + "%40bench.invalid&purpose=" + PURPOSE, "10." + (i >> 16 & 255) + "."
                            + (i >> 8 & 255) + "." + (i & 255)));
                    boolean drained = allMailed(run, Duration.ofMinutes(10)) && mailer[0].drain(Duration.ofMinutes(1));
                    return report(run, campaign, oneClick, signUp, drained, sink);
                } finally {
                    mailer[0].close();
                }
            }
        }
    }

    /** Every sign-up's mail sent (the workers catch up after the load), within the wait. */
    private boolean allMailed(String run, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (count("select count(*) from consent_request q join contact c on c.id = q.contact_id"
                + " where c.email_norm like ? and q.mailed_at is null", "bench-serve-" + run + "-s%") > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(500);
        }
        return true;
    }

    private Integer report(String run, long campaign, Phase oneClick, Phase signUp, boolean drained,
                           DiscardSmtpServer sink) {
        long withdrawals = count("select count(*) from consent_record r join contact c on c.id = r.contact_id"
                + " where c.email_norm like ? and r.status = 'withdrawn'", "bench-serve-" + run + "-%");
        long withdrawnPeople = count("select count(distinct r.contact_id) from consent_record r join contact c"
                + " on c.id = r.contact_id where c.email_norm like ? and r.status = 'withdrawn'",
                "bench-serve-" + run + "-%");
        long requests = count("select count(*) from consent_request q join contact c on c.id = q.contact_id"
                + " where c.email_norm like ?", "bench-serve-" + run + "-s%");
        boolean oneClickOnce = withdrawals == oneClick.count(200) && withdrawnPeople == withdrawals;
        boolean signUpOnce = drained && requests == signUp.count(200) && sink.messages() == requests;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("clients", clients);
        out.put("secondsPerPhase", seconds);
        out.put("oneClick", oneClick.summary());
        out.put("oneClickWithdrawalsRecorded", withdrawals);
        out.put("signUp", signUp.summary());
        out.put("signUpRequestsRecorded", requests);
        out.put("confirmationMailsSent", sink.messages());
        out.put("everyOkRecordedOnce", oneClickOnce && signUpOnce);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        if (json) {
            context.printJson(out);
        } else {
            out.forEach((k, v) -> context.out().printf("%-28s %s%n", k, v));
        }
        return oneClickOnce && signUpOnce ? 0 : 1;
    }

    /** {@link #clients} threads send requests for {@link #seconds} s, or until {@code limit} are sent. */
    private Phase load(long limit, LongFunction<HttpRequest> request) throws Exception {
        Phase phase = new Phase();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        AtomicLong next = new AtomicLong();
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(seconds).toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            List<Future<long[]>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(threads.submit(() -> {
                    long[] mine = new long[1 << 16];
                    int n = 0;
                    for (long i = next.getAndIncrement(); i < limit && System.nanoTime() < deadline;
                         i = next.getAndIncrement()) {
                        HttpRequest sent = request.apply(i);
                        long begin = System.nanoTime();
                        int status;
                        try {
                            status = http.send(sent, HttpResponse.BodyHandlers.discarding()).statusCode();
                        } catch (java.io.IOException e) {
                            status = 0; // the connection failed: counted under status 0
                        }
                        long micros = Math.max(1, (System.nanoTime() - begin) / 1000);
                        phase.statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = micros;
                    }
                    return Arrays.copyOf(mine, n);
                }));
            }
            for (Future<long[]> worker : workers) {
                phase.latencies.add(worker.get());
            }
        } finally {
            threads.shutdownNow();
        }
        phase.elapsed = (System.nanoTime() - started) / 1e9;
        return phase;
    }

    private static HttpRequest post(String url, String form, String forwardedFor) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (forwardedFor != null) {
            builder.header("X-Forwarded-For", forwardedFor);
        }
        return builder.build();
    }

    /** The contacts one-click unsubscribes, each with a confirmed consent, in one statement each. */
    private long[] createContacts(String run) {
        String pattern = "bench-serve-" + run + "-";
        return context.database().withConnection(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("insert into contact (email, email_norm)"
                    + " select ? || g || '@bench.invalid', ? || g || '@bench.invalid' from generate_series(1, ?) g")) {
                insert.setString(1, pattern);
                insert.setString(2, pattern);
                insert.setInt(3, contacts);
                insert.executeUpdate();
            }
            try (PreparedStatement consent = connection.prepareStatement("insert into consent_record (contact_id,"
                    + " purpose, status, consent_at, source, confirmed_at, recorded_via) select id, ?, 'granted',"
                    + " now(), 'bench serve', now(), 'bench serve' from contact where email_norm like ?")) {
                consent.setString(1, PURPOSE);
                consent.setString(2, pattern + "%");
                consent.executeUpdate();
            }
            long[] ids = new long[contacts];
            try (PreparedStatement select = connection.prepareStatement("select id from contact where email_norm"
                    + " like ? order by id")) {
                select.setString(1, pattern + "%");
                try (ResultSet rs = select.executeQuery()) {
                    int i = 0;
                    while (rs.next() && i < ids.length) {
                        ids[i++] = rs.getLong(1);
                    }
                }
            }
            return ids;
        });
    }

    private long createCampaign(String run) {
        return context.database().withConnection((Connection connection) -> {
            try (PreparedStatement insert = connection.prepareStatement("insert into campaign (name, purpose, template)"
                    + " values (?, ?, 'bench') returning id")) {
                insert.setString(1, "bench-serve-" + run);
                insert.setString(2, PURPOSE);
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private long count(String sql, String pattern) {
        return context.database().withConnection(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, pattern);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
