package dev.mailer.cli;

import dev.mailer.campaign.CampaignError;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.campaign.SendReport;
import dev.mailer.campaign.SendWarning;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The compliance report as a readable table. */
public final class SendReportPrinter {
    private final PrintStream out;

    public SendReportPrinter(PrintStream out) {
        this.out = out;
    }

    public void print(CampaignSpec spec, SendReport report) {
        out.printf("Campaign %s%s%n", report.campaign(),
                report.dryRun() ? " — dry run: nothing sent, nothing changed" : "");
        out.printf("Purpose '%s'; %s; consent %s; under %d needs parental consent%s%n", spec.purpose(),
                spec.requireConfirmed() ? "double opt-in required" : "double opt-in not required",
                spec.maxConsentAge() == null ? "never expires" : "expires after " + spec.maxConsentAge(),
                spec.minimumAge(), spec.allowExistingCustomers() ? "; existing customers count" : "");
        out.println();
        long considered = report.considered();
        row("considered", considered, considered);
        row("eligible", report.eligible(), considered);
        row("excluded", considered - report.eligible(), considered);
        for (Map.Entry<String, Long> entry : report.excluded().entrySet()) {
            out.printf("    %-34s %9d%s%n", entry.getKey(), entry.getValue(), percent(entry.getValue(), considered));
        }
        if (!report.dryRun()) {
            out.println();
            out.printf("  sent %d, failed %d, deferred %d, unknown %d%n", report.sent(), report.failed(),
                    report.deferred(), report.unknown());
            if (report.held() != null && report.held() > 0) {
                out.printf("  %d held: the sender was refused (see below); fix the cause, then run the same command"
                        + " again to send them%n", report.held());
            }
            printWarnings(out, report.warnings());
            long withOthers = report.withOtherSenders() == null ? 0 : report.withOtherSenders();
            if (withOthers > 0) {
                out.printf("  %d being sent by another sender of this campaign that is still running%n", withOthers);
            }
            if (report.pending() != null && report.pending() > withOthers) {
                out.printf("  %d left to send (after --limit, or given back by a sender that stopped); run the same"
                        + " command again to continue%n", report.pending() - withOthers);
            }
            if (report.nextAttemptAt() != null) {
                out.printf("  %d deferred, next attempt at %s; run the same command again then (cron does)%n",
                        report.deferred(), java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
                                .format(java.time.Instant.parse(report.nextAttemptAt())
                                        .atZone(java.time.ZoneId.systemDefault())));
            }
        }
        if (report.dryRun() && report.warnings() != null && !report.warnings().isEmpty()) {
            out.println();
            out.println("Warnings (the campaign is still valid; --strict makes them errors):");
            printWarnings(out, report.warnings());
        }
        if (report.rendered() != null) {
            out.println();
            out.printf("  %d messages rendered in memory from template '%s'%s%n", report.rendered(), spec.template(),
                    report.errors().isEmpty() ? ": no errors" : "");
        }
        if (!report.errors().isEmpty()) {
            out.println();
            out.println("The campaign is invalid:");
            for (CampaignError error : report.errors()) {
                out.printf("  [%s] %s%n", error.code(), error.message());
            }
        }
    }

    private void row(String label, long value, long total) {
        out.printf("  %-36s %9d%s%n", label, value, percent(value, total));
    }

    private static String percent(long value, long total) {
        return total == 0 ? "" : String.format("  %5.1f%%", 100.0 * value / total);
    }

    /** One line per warning (SPEC §6a), the relay's own words, and what to check on the next. */
    static void printWarnings(PrintStream out, List<SendWarning> warnings) {
        if (warnings == null) {
            return;
        }
        for (SendWarning warning : warnings) {
            if (warning.aboutTheAudience()) {
                out.printf("  ! %s: %s%n", warning.code(), warning.reply());
                if (warning.hint() != null) {
                    out.printf("    %s%n", warning.hint());
                }
                continue;
            }
            out.printf("  ! %s%s, %d: %s%n", warning.code(), warning.domain() == null ? " at the relay" : " at "
                    + warning.domain(), warning.count(), warning.reply());
            if (warning.hint() != null) {
                out.printf("    %s%n", warning.hint());
            }
        }
    }
}
