package dev.mailer.cli.bench;

import dev.mailer.audience.Recipient;
import dev.mailer.campaign.CampaignFileParser;
import dev.mailer.campaign.CampaignMessages;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.message.MailboxAddress;
import dev.mailer.cli.CliContext;
import dev.mailer.cli.demo.BundledFiles;
import dev.mailer.template.MessageModel;
import dev.mailer.message.DkimSigner;
import dev.mailer.message.MessageSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Time rendering + MIME building + serializing (and optionally DKIM-signing) personalised"
                + " messages in memory, without database or SMTP.",
                "Without a campaign file it uses a built-in compact template (about 2 KB per message)."},
        footer = {"", "Examples:",
                "  ./mailer bench render --messages 200000 --threads 1",
                "  ./mailer bench render examples/newsletter.yaml --config examples/mailer.yaml --threads 2",
                "  ./mailer bench render --messages 20000 --threads 2 --dkim"})
final class BenchRenderCommand implements Callable<Integer> {
    private static final String[] NAMES = {"Łucja Wiśniewska", "Jędrzej Sęk", "Đorđe Petrović", "Milica Šćekić",
        "Oliver Smith", "Chloe O'Brien", "Zofia Żółtowska", "Nikola Čović"};
    private static final String[] LOCALES = {"pl", "sr-Latn", "en"};
    private final CliContext context;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CAMPAIGN.yaml",
            description = "A campaign file with its templates (default: the built-in compact template).")
    Path campaignFile;

    @Option(names = "--messages", defaultValue = "100000", paramLabel = "N", description = "Messages (default ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "T", description = "Threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--dkim", description = "Also DKIM-sign every message with a throw-away RSA-2048 key.")
    boolean dkim;

    @Option(names = "--templates", paramLabel = "DIR", description = "Templates directory (default ./templates).")
    Path templates;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    BenchRenderCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Path templatesDir = context.templatesDir(templates);
        CampaignSpec spec;
        MessageSettings settings;
        if (campaignFile != null) {
            spec = new CampaignFileParser().parse(campaignFile, LocalDate.now(), null);
            settings = context.messageSettings(spec, true);
        } else {
            templatesDir = BundledFiles.copy("/dev/mailer/cli/bench/templates", Files.createTempDirectory("mailer-bench-templates"));
            spec = new CampaignSpec("bench", "newsletter", "compact", null,
                    MailboxAddress.parse("Kawiarnia Nowak <news@kawiarnia.example>").orElseThrow(), null, null,
                    true, false, null, 16, null, Map.of(), Path.of("bench.yaml"));
            MessageSettings defaults = context.messageSettings(spec, true);
            settings = new MessageSettings(defaults.from(), null, new MessageModel.Sender("Kawiarnia Nowak sp. z o.o.",
                    "ul. Floriańska 1, 31-019 Kraków", "iod@kawiarnia.example"), defaults.unsubscribeBaseUrl(),
                    defaults.bounceAddress(), defaults.unsubscribeAddress(), defaults.tokens(), null);
        }
        if (dkim) {
            settings = new MessageSettings(settings.from(), settings.replyTo(), settings.sender(),
                    settings.unsubscribeBaseUrl(), settings.bounceAddress(), settings.unsubscribeAddress(),
                    settings.tokens(), throwAwaySigner(settings.fromDomain()));
        }
        CampaignMessages campaign = CampaignMessages.prepare(spec, settings, templatesDir);
        List<Recipient> recipients = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            recipients.add(new Recipient(i + 1, "customer" + i + "@example.com", "customer" + i + "@example.com",
                    NAMES[i % NAMES.length], LOCALES[i % LOCALES.length], List.of("customers"),
                    Map.of("city", "Kraków", "loyalty_points", Integer.toString(i * 7)), "checkout",
                    OffsetDateTime.now().minusDays(i % 300), OffsetDateTime.now().minusDays(i % 300)));
        }
        for (int i = 0; i < 2000; i++) { // warm-up: let the JIT compile before timing
            campaign.build(recipients.get(i % recipients.size()), 1);
        }
        AtomicLong next = new AtomicLong();
        LongAdder bytes = new LongAdder();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long started = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (long i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
                        bytes.add(campaign.build(recipients.get((int) (i % recipients.size())), 1).bytes().length);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdown();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("messages", messages);
        out.put("threads", threads);
        out.put("dkim", dkim);
        out.put("elapsedSeconds", Math.round(seconds * 100) / 100.0);
        out.put("messagesPerSecond", Math.round(messages / seconds));
        out.put("averageBytes", bytes.sum() / messages);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        if (json) {
            context.printJson(out);
        } else {
            out.forEach((k, v) -> context.out().printf("%-18s %s%n", k, v));
        }
        return 0;
    }

    private static DkimSigner throwAwaySigner(String domain) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
        Path pem = Files.createTempFile("bench-dkim", ".pem", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                    + "\n-----END PRIVATE KEY-----\n");
            return DkimSigner.load(domain, "bench", pem);
        } finally {
            deleteQuietly(pem);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temp file; the OS cleans /tmp
        }
    }
}
