package dev.mailer.cli;

import dev.mailer.campaign.CampaignPorts;
import dev.mailer.campaign.CampaignReport;
import dev.mailer.campaign.OutcomesCsv;
import dev.mailer.error.MailerException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "A campaign's figures so far: who the gate excludes now and why, deliveries by outcome,"
                + " bounces (hard/soft), complaints, unsubscribes and throughput; first, what the relay or the"
                + " providers said that you must act on (the sender refused, asked to slow down).",
        footer = {"", "Examples:", "  mailer report newsletter-2026-12", "  mailer report newsletter-2026-12 --json",
                "  mailer report newsletter-2026-12 --csv > newsletter-2026-12-outcomes.csv",
                "  mailer report newsletter-2026-12 --html newsletter-2026-12.html"})
final class ReportCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "CAMPAIGN", description = "The campaign's name (after {yyyy-MM} expansion).")
    String name;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--csv", description = "Print one CSV row per recipient instead (status, SMTP reply, queue id,"
            + " Message-ID, times, bounce, complaint, unsubscribe), for audits. Erased people appear as (erased).")
    boolean csv;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write the report as one self-contained"
            + " HTML page (outcomes, exclusions, the sending curve, answers by domain, warnings; no outside"
            + " assets). Example: mailer report newsletter-2026-12 --html newsletter-2026-12.html")
    java.nio.file.Path html;

    ReportCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (csv && json) {
            throw MailerException.usage("--csv and --json exclude each other.");
        }
        if (csv) {
            Writer writer = new OutputStreamWriter(context.out(), StandardCharsets.UTF_8);
            OutcomesCsv.write(ports(), name, writer);
            return 0;
        }
        if (csv && html != null) {
            throw MailerException.usage("--csv and --html exclude each other.");
        }
        CampaignReport report = CampaignReport.of(ports(), name);
        if (html != null) {
            writeHtml(report);
        }
        if (json) {
            context.printJson(report);
            return 0;
        }
        var out = context.out();
        out.printf("Campaign %s (%s)%s%n", report.campaign(), report.status(),
                report.firstSentAt() == null ? ", nothing sent yet"
                        : ", first message sent " + local(report.firstSentAt()) + ", last " + local(report.lastSentAt()));
        if (!report.warnings().isEmpty()) {
            out.println();
            SendReportPrinter.printWarnings(out, report.warnings());
        }
        out.println();
        out.printf("  %-34s %9d%n", "considered now", report.considered());
        for (Map.Entry<String, Long> entry : report.excluded().entrySet()) {
            if (entry.getValue() > 0) {
                out.printf("    %-32s %9d%n", entry.getKey(), entry.getValue());
            }
        }
        out.println();
        row("sent", report.sent());
        row("failed", report.failed());
        row("deferred (retried later)", report.deferred());
        row("unknown (in doubt after a crash)", report.unknown());
        row("pending", report.pending());
        row("held (the sender was refused)", report.held());
        row("skipped (no longer eligible)", report.skipped());
        if (report.cancelled() > 0) {
            row("cancelled (never sent)", report.cancelled());
        }
        row("bounced hard", report.bouncedHard());
        row("bounced soft", report.bouncedSoft());
        row("complaints", report.complaints());
        row("unsubscribes", report.unsubscribes());
        if (report.messagesPerSecond() != null) {
            out.printf("  %-34s %9.1f/s (%.0f/min)%n", "throughput", report.messagesPerSecond(),
                    report.messagesPerSecond() * 60);
        }
        return 0;
    }

    private void writeHtml(CampaignReport report) {
        long id = ports().campaigns().findId(name).orElseThrow();
        String page = dev.mailer.campaign.HtmlReport.render(report, ports().campaigns().picture(id));
        java.nio.file.Path target = html.toAbsolutePath();
        try {
            java.nio.file.Path temp = java.nio.file.Files.createTempFile(target.getParent(), ".report-", ".html");
            java.nio.file.Files.writeString(temp, page);
            java.nio.file.Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new MailerException(dev.mailer.error.ErrorKind.INPUT_FILE, "Cannot write the HTML report to "
                    + html + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ".");
        }
        context.err().println("Wrote " + html + " (" + (page.length() + 1023) / 1024 + " KB)");
    }

    private static String local(java.time.OffsetDateTime time) {
        return time.atZoneSameInstant(java.time.ZoneId.systemDefault()).toLocalDateTime().withNano(0).toString()
                .replace('T', ' ');
    }

    private void row(String label, long value) {
        context.out().printf("  %-34s %9d%n", label, value);
    }

    private CampaignPorts ports() {
        return context.engine().campaignPorts();
    }
}
