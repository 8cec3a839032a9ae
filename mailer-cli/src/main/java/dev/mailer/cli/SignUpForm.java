package dev.mailer.cli;

import dev.mailer.config.ConfigFileValues;
import dev.mailer.config.ServeConfig;
import dev.mailer.error.MailerException;
import dev.mailer.feedback.http.ServerSettings;
import dev.mailer.optin.DoubleOptIn;
import dev.mailer.optin.SignUpMailer;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.Sender;
import dev.mailer.transport.SmtpPool;
import java.util.List;
import java.util.Map;

/**
 * serve's sign-up form: on when mailer.yaml lists {@code purposes:} and a relay is configured
 * (the confirmation mails need one), else off with the reason said at start.
 */
final class SignUpForm implements AutoCloseable {
    private final SmtpPool pool;
    private final SignUpMailer mailer;
    private final String status;
    private final ServeConfig limits;

    private SignUpForm(SmtpPool pool, SignUpMailer mailer, String status, ServeConfig limits) {
        this.pool = pool;
        this.mailer = mailer;
        this.status = status;
        this.limits = limits;
    }

    private static SignUpForm off(String why) {
        return new SignUpForm(null, null, "off (" + why + ")", ServeConfig.DEFAULT);
    }

    static SignUpForm open(CliContext context) {
        ConfigFileValues config = context.config();
        if (config.purposes().isEmpty()) {
            return off("no purposes: in mailer.yaml");
        }
        List<String> urls = context.smtpUrls(null);
        if (urls.isEmpty()) {
            return off("no SMTP relay for the confirmation mails: smtp in mailer.yaml or MAILER_SMTP_URL");
        }
        DoubleOptIn optIn;
        try {
            optIn = context.engine().doubleOptIn(DoubleOptIn.settings(config, null, context.tokens()),
                    "mailer serve");
        } catch (MailerException e) {
            return off(e.getMessage());
        }
        SmtpPool pool = new SmtpPool(context.smtpRelays(null, null), SmtpPool.DEFAULT_COOL_DOWN, context.tlsSockets());
        SignUpMailer mailer = new SignUpMailer(optIn, new Sender(pool, new Throttle(null, Map.of())),
                config.purposes());
        return new SignUpForm(pool, mailer, "on, purposes " + String.join(", ", config.purposes().byCode().keySet())
                + "; at most " + config.serve().perAddressPerDay() + " per address a day and "
                + config.serve().perIpPerHour() + " per client an hour", config.serve());
    }

    ServerSettings apply(ServerSettings settings) {
        if (mailer == null) {
            return settings;
        }
        return settings.withSignUpForm(settings.purposes(), limits, mailer::submit);
    }

    String status() {
        return status;
    }

    @Override
    public void close() {
        if (mailer != null) {
            mailer.close();
        }
        if (pool != null) {
            pool.close();
        }
    }
}
