package dev.mailer.cli.bench;

import dev.mailer.cli.ExitCodes;
import dev.mailer.campaign.Audience;
import dev.mailer.campaign.CampaignMessages;
import dev.mailer.campaign.CampaignRun;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.message.MailboxAddress;
import dev.mailer.campaign.RunResult;
import dev.mailer.cli.CliContext;
import dev.mailer.cli.Directories;
import dev.mailer.cli.SendProgress;
import dev.mailer.cli.demo.BundledFiles;
import dev.mailer.contacts.ContactImport;
import dev.mailer.message.MessageSettings;
import dev.mailer.template.MessageModel;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Period;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Time a real send: synthetic contacts are imported (not timed), then a campaign of personalised"
                + " ~2 KB messages goes through the consent gate, durable delivery records and the SMTP pool, with"
                + " throttling off. By default into an in-process discard SMTP sink on loopback.",
                "Run it against a throw-away MAILER_HOME or database."},
        footer = {"", "Examples:",
                "  MAILER_HOME=/tmp/bench ./mailer bench send --messages 100000 --json",
                "  MAILER_HOME=/tmp/bench ./mailer bench send --smtp 'smtp://127.0.0.1:2525?tls=none&connections=16'"})
final class BenchSendCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--messages", defaultValue = "100000", paramLabel = "N", description = "Messages (default ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--smtp", paramLabel = "URL", description = "Send here instead of the built-in sink.")
    String smtp;

    @Option(names = "--connections", defaultValue = "16", paramLabel = "C",
            description = "SMTP connections to the built-in sink (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--delay-ms", paramLabel = "D", defaultValue = "0",
            description = "Put a proxy in front of the relay that holds every packet D ms each way (a round trip"
                    + " of 2·D, as relays off loopback have). Example: mailer bench send --delay-ms 10")
    int delayMillis;

    @Option(names = "--chunking", description = "Let the built-in sink offer CHUNKING (BDAT) besides PIPELINING, as"
            + " Postfix's smtpd does since 3.4: then a message is one round trip. Example: mailer bench send"
            + " --delay-ms 10 --chunking")
    boolean chunking;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    BenchSendCommand(CliContext context) {
        this.context = context;
    }

    /** Where the delay proxy forwards to: the built-in sink, or the host and port of --smtp (plain SMTP). */
    private InetSocketAddress target(DiscardSmtpServer sink) {
        if (sink != null) {
            return new InetSocketAddress("127.0.0.1", sink.port());
        }
        SmtpRelay relay = SmtpRelay.parse(smtp);
        return new InetSocketAddress(relay.host(), relay.port());
    }

    /** The embedded server's postmaster, when mailer runs it (an outside server's CPU is not ours to read). */
    private java.util.OptionalLong postmaster() {
        dev.mailer.store.DatabaseSettings settings = context.databaseSettings();
        if (!settings.isEmbedded()) {
            return java.util.OptionalLong.empty();
        }
        return ProcessCpu.postmaster(dev.mailer.store.embedded.EmbeddedPostgres.status(settings.mailerHome(),
                settings.embedded()).dataDirectory());
    }

    /** The largest heap in use while the run went, sampled every 50 ms. */
    private static final class HeapPeak {
        private final java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.ScheduledExecutorService sampler =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "bench-heap");
                    t.setDaemon(true);
                    return t;
                });

        static HeapPeak start() {
            HeapPeak heap = new HeapPeak();
            heap.sampler.scheduleAtFixedRate(heap::sample, 0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
            return heap;
        }

        private void sample() {
            Runtime runtime = Runtime.getRuntime();
            peak.accumulateAndGet(runtime.totalMemory() - runtime.freeMemory(), Math::max);
        }

        long stop() {
            sampler.shutdownNow();
            sample();
            return peak.get();
        }
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("mailer-bench-send");
        Path csv = work.resolve("contacts.csv");
        // the synthetic mix is about 70% eligible: import enough people for N messages
        SyntheticContacts.write(csv, (int) Math.ceil(messages / 0.65) + 100, System.nanoTime());
        context.engine().contactImport().run(csv, "bench", false, context.actor(), null);
        Files.delete(csv);

        Path templates = BundledFiles.copy("/dev/mailer/cli/bench/templates", work.resolve("templates"));
        CampaignSpec spec = new CampaignSpec("bench-send-" + System.currentTimeMillis(), "newsletter", "compact", null,
                MailboxAddress.parse("Kawiarnia Nowak <news@kawiarnia.example>").orElseThrow(), null, Audience.EVERYONE,
                true, false, Period.ofMonths(24), 16, null, Map.of(), work.resolve("bench.yaml"));
        MessageSettings defaults = context.messageSettings(spec, true);
        MessageSettings settings = new MessageSettings(defaults.from(), null, new MessageModel.Sender(
                "Kawiarnia Nowak sp. z o.o.", "ul. Floriańska 1, 31-019 Kraków", "iod@kawiarnia.example"),
                defaults.unsubscribeBaseUrl(), defaults.bounceAddress(), defaults.unsubscribeAddress(), defaults.tokens(),
                null);
        CampaignMessages campaign = CampaignMessages.prepare(spec, settings, templates);

        try (DiscardSmtpServer sink = smtp == null ? new DiscardSmtpServer(chunking) : null;
             DelayProxy proxy = delayMillis <= 0 ? null : new DelayProxy(target(sink), delayMillis)) {
            String url = proxy != null ? "smtp://127.0.0.1:" + proxy.port() + "?tls=none&connections=" + connections
                    : smtp != null ? smtp
                    : "smtp://127.0.0.1:" + sink.port() + "?tls=none&connections=" + connections;
            RunResult result;
            java.util.OptionalLong postmaster = postmaster();
            long jvmBefore = ProcessCpu.jvmNanos();
            long serverBefore = postmaster.isPresent() ? ProcessCpu.serverNanos(postmaster.getAsLong()) : -1;
            HeapPeak heap = HeapPeak.start();
            long started = System.nanoTime();
            try (SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(url)));
                 SendProgress progress = new SendProgress(context, spec.name(), messages)) {
                result = new CampaignRun(context.engine().campaignPorts(), spec, campaign, pool,
                        new Throttle(null, Map.of()), CampaignRun.Options.defaults().withLimit((long) messages), progress::update).run();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long jvmCpu = ProcessCpu.jvmNanos() - jvmBefore;
            long serverCpu = serverBefore < 0 ? -1 : ProcessCpu.serverNanos(postmaster.getAsLong()) - serverBefore;
            long peakHeap = heap.stop();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("messages", result.report().sent());
            out.put("elapsedSeconds", Math.round(seconds * 100) / 100.0);
            out.put("messagesPerSecond", Math.round(result.report().sent() / seconds));
            out.put("failed", result.report().failed());
            out.put("deferred", result.report().deferred());
            out.put("smtp", SmtpRelay.parse(url).toString());
            if (proxy != null) {
                out.put("roundTripMillis", 2 * delayMillis);
            }
            if (sink != null) {
                out.put("sinkOffers", chunking ? "PIPELINING CHUNKING" : "PIPELINING");
            }
            if (sink != null) {
                out.put("sinkConnections", sink.connections());
            }
            long sent = Math.max(1, result.report().sent());
            out.put("mailerCpuMicrosPerMessage", Math.round(jvmCpu / 1000.0 / sent));
            out.put("postgresCpuMicrosPerMessage", serverCpu < 0 ? null : Math.round(serverCpu / 1000.0 / sent));
            out.put("peakHeapMegabytes", peakHeap / (1024 * 1024));
            out.put("maxHeapMegabytes", Runtime.getRuntime().maxMemory() / (1024 * 1024));
            out.put("cores", Runtime.getRuntime().availableProcessors());
            if (json) {
                context.printJson(out);
            } else {
                out.forEach((k, v) -> context.out().printf("%-28s %s%n", k, v));
            }
            return result.stoppedBy() == null ? 0 : ExitCodes.of(result.stoppedBy());
        } finally {
            Directories.deleteTree(work);
        }
    }
}
