package dev.mailer.cli.demo;

import dev.mailer.campaign.CampaignFileParser;
import dev.mailer.campaign.CampaignPorts;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.campaign.CampaignInvalid;
import dev.mailer.campaign.CampaignMessages;
import dev.mailer.campaign.CampaignReport;
import dev.mailer.campaign.CampaignRun;
import dev.mailer.campaign.DryRun;
import dev.mailer.campaign.RunResult;
import dev.mailer.campaign.Preview;
import dev.mailer.campaign.SendReport;
import dev.mailer.cli.CliContext;
import dev.mailer.cli.Directories;
import dev.mailer.cli.SendProgress;
import dev.mailer.cli.SendReportPrinter;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.Reject;
import dev.mailer.error.MailerException;
import dev.mailer.message.MessageSettings;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
                "Show mailer at work on a realistic sample with nothing configured: a coffee shop moving about 1,000 "
                        + "customers (Polish, Serbian, English) to a new platform.",
                "Starts an embedded PostgreSQL in a throw-away home (or in $MAILER_HOME / --home when given), imports "
                        + "the customers with every consent situation, and prints the dry-run compliance report.",
                "Then it sends the newsletter through the throttled pool to a mail server on loopback, simulates the"
                        + " feedback that comes back (bounces, a complaint, unsubscribes, an auto-reply), reads it with"
                        + " feedback poll, unsubscribes one person with one click through mailer serve, and shows the"
                        + " report and who the gate excludes now.",
        },
        footer = {"", "Examples:", "  ./mailer demo", "  MAILER_HOME=/tmp/shop ./mailer demo   # keep the data to explore afterwards"})
public final class DemoCommand implements Callable<Integer> {
    private static final String CAMPAIGN = "newsletter.yaml";
    private final CliContext context;

    @Option(names = "--home", paramLabel = "DIR", description = "Keep the demo's database here instead of a throw-away directory.")
    Path home;

    @Option(names = "--previews", paramLabel = "DIR",
            description = "Where to write one preview message per locale (default: previews/ in the kept home,"
                    + " else ./mailer-demo-previews).")
    Path previews;

    DemoCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        Path keep = home != null ? home : context.env("MAILER_HOME") == null ? null : context.home();
        Path work = keep != null ? keep : Files.createTempDirectory("mailer-demo-");
        context.homeOverride(work);
        try {
            Path previewDir = previews != null ? previews
                    : keep != null ? keep.resolve("previews") : Path.of("mailer-demo-previews");
            return run(work, keep == null, previewDir);
        } finally {
            context.close();
            if (keep == null) {
                Directories.deleteTree(work);
            }
        }
    }

    /**
     * Sends the campaign for real, through the throttled pool, to a mail server running on loopback
     * inside this process (GreenMail), then once more to show that nobody is mailed twice; then
     * the feedback loop on the same server, the report, and a second dry run.
     */
    private void sendAndCloseTheLoop(CampaignSpec campaign, Path templates) throws IOException {
        PrintStream out = context.out();
        GreenMail mailServer = new GreenMail(new ServerSetup[] {
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP)});
        mailServer.start();
        try {
            String url = "smtp://127.0.0.1:" + mailServer.getSmtp().getPort() + "?tls=none&connections=4";
            out.println();
            out.printf("5. Sending for real, at the campaign's rate (%s), to a mail server on loopback (%s):%n",
                    campaign.rate() == null ? "unlimited" : campaign.rate(), url);
            CampaignMessages messages;
            try {
                messages = CampaignMessages.prepare(campaign, context.messageSettings(campaign, false), templates);
            } catch (CampaignInvalid invalid) {
                throw MailerException.usage(invalid.getMessage());
            }
            long before = CampaignReport.of(ports(), campaign.name()).sent();
            RunResult first = send(campaign, messages, url);
            out.printf("   sent %d (%d with the canary run), failed %d, deferred %d in %.1f s;"
                            + " the mail server holds %d messages%n", first.report().sent() - before,
                    first.report().sent(), first.report().failed(), first.report().deferred(),
                    first.report().elapsedSeconds(), mailServer.getReceivedMessages().length);
            RunResult second = send(campaign, messages, url);
            out.printf("6. The same command again resumes the same campaign: %d new messages (the mail server still"
                    + " holds %d).%n", second.report().sent() - first.report().sent(),
                    mailServer.getReceivedMessages().length);

            DemoFeedbackLoop loop = new DemoFeedbackLoop(context, campaign, mailServer);
            Map<String, String> touched = loop.run(7);

            out.println();
            out.printf("10. mailer report %s:%n", campaign.name());
            CampaignReport report = CampaignReport.of(ports(), campaign.name());
            out.printf("   sent %d, failed %d, deferred %d, unknown %d%s%n", report.sent(), report.failed(),
                    report.deferred(), report.unknown(), report.messagesPerSecond() == null ? ""
                            : String.format(", %.0f messages/min", report.messagesPerSecond() * 60));
            out.printf("   bounced %d hard + %d soft, %d complaint%s, %d unsubscribe%s%n", report.bouncedHard(),
                    report.bouncedSoft(), report.complaints(), report.complaints() == 1 ? "" : "s",
                    report.unsubscribes(), report.unsubscribes() == 1 ? "" : "s");

            out.println();
            out.println("11. A second dry run: the gate now excludes them, each with its reason (a soft bounce or an");
            out.println("    auto-reply suppresses nobody; they are only 'already_sent' for this month's issue):");
            loop.showReasons(touched);
        } catch (jakarta.mail.MessagingException e) {
            throw new IOException("the demo's mailbox failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            mailServer.stop();
        }
    }

    private RunResult send(CampaignSpec campaign, CampaignMessages messages, String url) {
        try (SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(url)));
             SendProgress progress = new SendProgress(context, campaign.name(), 0)) {
            return new CampaignRun(ports(), campaign, messages, pool,
                    new Throttle(campaign.rate(), campaign.perDomain()), CampaignRun.Options.defaults(),
                    progress::update).run();
        }
    }

    private int run(Path work, boolean throwAway, Path previewDir) throws IOException {
        Files.createDirectories(work);
        Path examples = BundledFiles.copy("examples", work.resolve("examples"));
        Path templates = BundledFiles.copy("templates", work.resolve("templates"));
        // the sample shop's own settings (sender, addresses), whatever ./mailer.yaml says
        context.configFlag(examples.resolve("mailer.yaml"));
        PrintStream out = context.out();
        out.println("mailer demo: Kawiarnia Nowak, a Kraków coffee shop, moves its customers to a new platform");
        out.println("and wants to send its newsletter only to those who agreed to it.");
        out.println();
        out.printf("Database: %s%s%n", context.databaseSettings().describe(),
                throwAway ? " (throw-away; set MAILER_HOME or --home to keep it)" : "");
        Path campaignFile = examples.resolve(CAMPAIGN);
        CampaignSpec campaign = new CampaignFileParser().parse(campaignFile, LocalDate.now(), null);
        DemoScenario.Prepared prepared = DemoScenario.prepare(context.database(), work, LocalDate.now(), campaign,
                context.actor());

        out.println();
        out.printf("1. Imported the shop's customer list (%s, %d rows):%n", prepared.csv().getFileName(),
                prepared.sample().rows());
        out.printf("   %d imported, %d updated, %d unchanged, %d rejected%n", prepared.imported().imported(),
                prepared.imported().updated(), prepared.imported().unchanged(), prepared.imported().rejected());
        for (Reject reject : prepared.imported().rejects()) {
            out.printf("   rejected line %d: %s (%s)%n", reject.line(), reject.reason(), reject.email());
        }
        out.println();
        out.println("2. Then, as in real life (simulated by the demo):");
        out.printf("   %d customers asked to be removed from everything (consent withdraw --all)%n",
                prepared.sample().unsubscribeAll().size());
        out.printf("   %d addresses bounced hard, %d customers reported spam, %d were blocked by hand%n",
                prepared.sample().bounced().size(), prepared.sample().complaint().size(),
                prepared.sample().manualBlock().size());
        out.printf("   %d addresses came over from the old platform without ever being checked: %s%n",
                prepared.legacy().size(), String.join(", ", prepared.legacy()));
        out.printf("   %d customers already got this month's newsletter in a canary run%n", prepared.alreadySent().size());
        out.println();
        out.printf("3. The consent gate's dry run for %s:%n%n", campaign.file().getFileName());
        SendReport report = new DryRun(ports()).run(campaign, context.messageSettings(campaign, true),
                templates, null);
        new SendReportPrinter(out).print(campaign, report);

        out.println();
        out.printf("4. What they would receive, one preview per language (mailer preview … --to EMAIL --out FILE):%n");
        Files.createDirectories(previewDir);
        MessageSettings settings = context.messageSettings(campaign, false);
        Set<String> locales = new LinkedHashSet<>();
        for (String email : prepared.sample().featured()) {
            String locale = context.engine().consent().show(email).contact().locale();
            if (locale != null && locales.add(locale)) {
                Preview.Result preview = new Preview(ports()).of(campaign, settings, templates, email);
                Path eml = previewDir.resolve("newsletter-" + locale + ".eml");
                Files.write(eml, preview.message().bytes());
                Files.writeString(previewDir.resolve("newsletter-" + locale + ".html"), preview.rendered().html());
                out.printf("   %-8s %s  \"%s\"  → %s (+ .html)%n", locale, email, preview.rendered().subject(), eml);
            }
        }

        sendAndCloseTheLoop(campaign, templates);

        String example = prepared.sample().examples().get("consent_withdrawn");
        if (example != null) {
            out.println();
            out.println("12. Why is someone excluded? Their consent history says (mailer consent show " + example + "):");
            var history = context.engine().consent().show(example);
            history.records().forEach(r -> out.printf("   %s %-9s %-12s via %s%n", r.consentAt().toLocalDate(),
                    r.status(), r.purpose(), r.recordedVia()));
        }
        out.println();
        out.println("Next: mailer contacts import YOUR.csv, then mailer send examples/newsletter.yaml --dry-run;");
        out.println("      after sending: mailer feedback poll every few minutes, mailer serve for the links (README).");
        return report.valid() ? 0 : 2;
    }

    private CampaignPorts ports() {
        return context.engine().campaignPorts();
    }
}
