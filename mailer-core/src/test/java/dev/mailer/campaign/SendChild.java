package dev.mailer.campaign;

import dev.mailer.engine.Engine;
import dev.mailer.throttle.Rate;
import dev.mailer.store.Database;
import dev.mailer.store.DatabaseSettings;
import dev.mailer.store.Stores;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A sending JVM for {@link CrashResumeTest}: runs ONE {@link CampaignRun} of the campaign that
 * {@link #NAME} names, so that the test can kill it with SIGKILL half-way. The campaign, its
 * templates and its messages are built by {@link CampaignFixture}, as for the test's own runs.
 *
 * <p>Arguments: {@code JDBC_URL USER PASSWORD RELAY_URL TEMPLATES_DIR RATE LEASE_SECONDS}, RATE
 * like {@code 100/s} or {@code none}. Prints {@value #SENDING} on stdout just before the run starts
 * sending, a progress line every second, and {@code DONE ...} if it is allowed to finish.
 */
public final class SendChild {
    static final String SENDING = "SENDING";
    /** The campaign the child and the test's own runs send ({@link CampaignFixture}). */
    static final String NAME = "crash-2026-12";

    private SendChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: SendChild JDBC_URL USER PASSWORD RELAY_URL TEMPLATES_DIR RATE LEASE_SECONDS");
            System.exit(2);
        }
        String jdbcUrl = args[0];
        String user = args[1];
        String password = args[2];
        String relayUrl = args[3];
        Path templates = Path.of(args[4]);
        Rate rate = "none".equals(args[5]) ? null : Rate.parse(args[5]);
        int leaseSeconds = Integer.parseInt(args[6]);

        CampaignFixture campaign = CampaignFixture.existing(templates, NAME);
        CampaignSpec spec = campaign.spec();
        CampaignMessages messages = campaign.messages();
        try (Database database = Database.open(DatabaseSettings.server(jdbcUrl, user, password));
             SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(relayUrl)))) {
            CampaignRun run = new CampaignRun(new Engine(database).campaignPorts(), spec, messages, pool, new Throttle(rate, Map.of()),
                    options(leaseSeconds, false), p -> System.out.println("progress sent=" + p.sent()
                            + " deferred=" + p.deferred() + " failed=" + p.failed() + " queued=" + p.queued()));
            System.out.println(SENDING + " pid=" + ProcessHandle.current().pid() + " connections="
                    + pool.totalConnections());
            System.out.flush();
            RunResult result = run.run();
            System.out.println("DONE stoppedBy=" + result.stoppedBy() + " sent=" + result.report().sent()
                    + " unknown=" + result.report().unknown());
        }
        System.exit(0);
    }

    /**
     * Default options except the lease: a dead sender's rows are taken over only once their lease
     * ran out, and the default 120 s would make the test wait that long.
     */
    static CampaignRun.Options options(int leaseSeconds, boolean resendUnknown) {
        return CampaignRun.Options.builder().leaseSeconds(leaseSeconds).resendUnknown(resendUnknown).build();
    }
}
