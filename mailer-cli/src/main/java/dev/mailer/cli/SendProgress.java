package dev.mailer.cli;

import dev.mailer.campaign.CampaignRun;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What a person sees while a campaign goes out: a progress bar on a terminal (sent, failed,
 * deferred, rate, ETA), a log line every ten seconds without one (cron, systemd).
 */
public final class SendProgress implements AutoCloseable {
    private static final long LOG_EVERY_MILLIS = 10_000;
    private final CliContext context;
    private final ProgressBar bar;
    private long lastLog;
    private String lastWaiting;

    /** @param total messages this run will send, or 0 until the run reports it */
    public SendProgress(CliContext context, String campaign, long total) {
        this.context = context;
        this.bar = context.terminal() ? new ProgressBarBuilder()
                .setTaskName(campaign)
                .setInitialMax(total > 0 ? total : -1) // unknown total: no made-up ETA
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" msg", 1)
                .showSpeed()
                .setUpdateIntervalMillis(500)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(context.err()) {
                    @Override
                    public void accept(String rendered) {
                        super.accept(rendered);
                        context.err().flush(); // the masked stream passes a line on at its end, or now
                    }
                })
                .build() : null;
    }

    public synchronized void update(CampaignRun.Progress progress) {
        if (progress.waitingFor() != null && !progress.waitingFor().equals(lastWaiting)) {
            context.err().println("mailer send: " + progress.waitingFor());
        }
        lastWaiting = progress.waitingFor();
        long done = progress.sent() + progress.failed() + progress.deferred();
        String extra = String.format("sent %d, failed %d, deferred %d", progress.sent(), progress.failed(),
                progress.deferred());
        if (bar != null) {
            if (progress.total() > 0 && bar.getMax() != progress.total()) {
                bar.maxHint(progress.total()); // known once the run has queued its work: now the ETA means something
            }
            bar.stepTo(done);
            bar.setExtraMessage(" " + extra);
        } else if (progress.elapsedMillis() - lastLog >= LOG_EVERY_MILLIS) {
            lastLog = progress.elapsedMillis();
            context.err().printf("mailer send: %s%s, %.0f/min, %s elapsed%s%n", extra,
                    progress.total() > 0 ? " of " + progress.total() : "", progress.perSecond() * 60,
                    format(Duration.ofMillis(progress.elapsedMillis())), eta(progress, done));
        }
    }

    /** Remaining work at the rate so far; nothing until there is a rate to go by. */
    private static String eta(CampaignRun.Progress progress, long done) {
        if (progress.total() <= done || progress.perSecond() <= 0) {
            return "";
        }
        double seconds = (progress.total() - done) / progress.perSecond();
        return ", about " + format(Duration.ofSeconds((long) seconds)) + " to go";
    }

    private static String format(Duration duration) {
        return String.format("%d:%02d:%02d", duration.toHours(), duration.toMinutesPart(), duration.toSecondsPart());
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
