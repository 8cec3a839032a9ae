package dev.mailer.cli;

import dev.mailer.campaign.CampaignError;
import dev.mailer.campaign.CampaignInvalid;
import dev.mailer.campaign.CampaignMessages;
import dev.mailer.campaign.CampaignPorts;
import dev.mailer.campaign.CampaignRun;
import dev.mailer.campaign.RunResult;
import dev.mailer.campaign.CampaignFileParser;
import dev.mailer.campaign.CampaignSpec;
import dev.mailer.campaign.DryRun;
import dev.mailer.campaign.SendReport;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "send", mixinStandardHelpOptions = true,
        description = {
                "Send a campaign to everyone its consent gate lets through.",
                "With --dry-run: check the campaign, send nothing, change nothing, and print the compliance report "
                        + "(who would be mailed, and the reason code of everyone who would not).",
        },
        footer = {"", "Examples:",
                "  mailer send examples/newsletter.yaml --dry-run",
                "  mailer send examples/newsletter.yaml --dry-run --json | jq .excluded",
                "  MAILER_SMTP_PASSWORD_FILE=/etc/mailer/smtp.pw mailer send examples/newsletter.yaml \\",
                "      --smtp 'smtp://news@relay.example.com:587?connections=8'"})
final class SendCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "CAMPAIGN.yaml", description = "The campaign file.")
    Path campaignFile;

    @Option(names = "--strict", description = "With --dry-run: the warnings (a purpose nobody granted, an unknown"
            + " tag or locale, nobody eligible, a consent age excluding most) are errors, exit 2. Example:"
            + " mailer send campaign.yaml --dry-run --strict")
    boolean strict;

    @Option(names = "--dry-run", description = "Check and report only; send nothing, change nothing.")
    boolean dryRun;

    @Option(names = "--limit", paramLabel = "N", description = "Send to at most N recipients (a canary run).")
    Integer limit;

    @Option(names = "--json", description = "Print the report as one JSON object (SPEC §6).")
    boolean json;

    @Mixin
    RelayOptions relayOptions;

    @Option(names = "--name", paramLabel = "NAME", description = "Campaign name, overriding the file's 'name'.")
    String name;

    @Option(names = "--templates", paramLabel = "DIR", description = "Templates directory (default ./templates).")
    Path templates;

    @Mixin
    SoftBounceOptions softBounces;

    @Option(names = "--resend-unknown",
            description = "Send again to recipients whose earlier attempt is in doubt (a crash while their message"
                    + " was on an SMTP connection). Default: report them, never resend.")
    boolean resendUnknown;

    SendCommand(CliContext context) {
        this.context = context;
    }

    private int send(CampaignSpec spec) {
        List<SmtpRelay> relays = relayOptions.relays(context);
        CampaignMessages messages;
        try {
            messages = CampaignMessages.prepare(spec, context.messageSettings(spec, false),
                    context.templatesDir(templates));
        } catch (CampaignInvalid invalid) {
            SendReport report = SendReport.invalid(spec.name(), false, invalid.errors());
            if (json) {
                context.printJson(report);
            } else {
                invalid.errors().forEach(e -> context.err().println(e.message()));
            }
            return ExitCodes.USAGE;
        }
        CampaignRun.Options options = CampaignRun.Options.defaults()
                .withLimit(limit == null ? null : limit.longValue()).withResendUnknown(resendUnknown);
        RunResult result;
        try (SmtpPool pool = new SmtpPool(relays, SmtpPool.DEFAULT_COOL_DOWN, context.tlsSockets());
             SendProgress progress = new SendProgress(context, spec.name(),
                     limit == null ? 0 : limit)) {
            CampaignRun run = new CampaignRun(ports(), spec, messages, pool,
                    new Throttle(spec.rate(), spec.perDomain()), options, progress::update);
            try (Interrupts.Registration signals = Interrupts.onInterrupt(run::interrupt)) {
                result = run.run();
            }
        }
        if (json) {
            context.printJson(result.report());
        } else {
            new SendReportPrinter(context.out()).print(spec, result.report());
        }
        if (result.stoppedBy() == null) {
            return 0;
        }
        String reason = result.reason().endsWith(".") ? result.reason().substring(0, result.reason().length() - 1)
                : result.reason();
        context.err().println(switch (result.stoppedBy()) {
            case SENDER_REFUSED -> "Stopped: " + reason + ".";
            case TEMPLATE -> "Stopped: " + reason + "; fix the template, then run the same command again to send the"
                    + " rest (nobody will be mailed twice).";
            default -> "Stopped: " + reason + ". Run the same command again to continue; nobody will be mailed twice.";
        });
        return ExitCodes.of(result.stoppedBy());
    }

    @Override
    public Integer call() {
        if (limit != null && limit < 1) {
            throw MailerException.usage("--limit must be a positive number, not " + limit + ".");
        }
        CampaignSpec spec;
        try {
            spec = new CampaignFileParser().parse(campaignFile, LocalDate.now(), name);
        } catch (MailerException e) {
            if (!json || e.kind() != ErrorKind.CAMPAIGN_FILE) {
                throw e;
            }
            context.printJson(SendReport.invalid(null, dryRun,
                    List.of(new CampaignError(CampaignError.CAMPAIGN_FILE, e.getMessage()))));
            return ExitCodes.USAGE;
        }
        if (!dryRun) {
            return send(spec);
        }
        Progress progress = new Progress(context, "messages rendered");
        SendReport report = new DryRun(ports()).run(spec, context.messageSettings(spec, true),
                context.templatesDir(templates), progress::update);
        progress.done();
        if (json) {
            context.printJson(report);
        } else {
            new SendReportPrinter(context.out()).print(spec, report);
        }
        if (strict && report.warnings() != null && !report.warnings().isEmpty() && report.valid()) {
            context.err().println("--strict: the dry run has " + report.warnings().size()
                    + (report.warnings().size() == 1 ? " warning" : " warnings") + "; fix "
                    + (report.warnings().size() == 1 ? "it" : "them") + " before sending.");
            return ExitCodes.USAGE;
        }
        return report.valid() ? 0 : ExitCodes.USAGE;
    }

    private CampaignPorts ports() {
        return context.engine().campaignPorts(softBounces.policy());
    }
}
