package dev.mailer.transport;

import java.util.Locale;

/**
 * Relay failures that trying again cannot mend, only the person (SPEC §6a relay trouble), and the
 * sentence that says what to change: a refused login (retrying locks accounts at real providers),
 * a login or STARTTLS the relay demands and the URL does not give, a certificate nobody trusts,
 * a host name that does not exist.
 */
public final class RelayTrouble {
    private RelayTrouble() {
    }

    /** Whether a failed connect or send is one that retrying cannot mend. */
    public static boolean forGood(SendResult result) {
        return result.code() == 530 || result.code() == 534 || result.code() == 535 || hint(null, result) != null;
    }

    /** {@code smtp://relay.example:587: 535 5.7.8 authentication failed (the relay refused …)}. */
    static String describe(SmtpRelay relay, SendResult result) {
        String hint = hint(relay, result);
        return relay.describe() + ": " + result.reply() + (hint == null ? "" : " (" + hint + ")");
    }

    /** What to change, or null when the reply says it well enough (or is not one of these). */
    private static String hint(SmtpRelay relay, SendResult result) {
        String reply = result.reply() == null ? "" : result.reply().toLowerCase(Locale.ROOT);
        if (reply.contains("certification path") || reply.contains("pkix")) {
            return "its certificate is not trusted: add its CA's PEM file as tls-ca in mailer.yaml or MAILER_TLS_CA";
        }
        if (reply.contains("unknownhostexception")) {
            return "no such host: check the host name in the URL";
        }
        if (reply.contains("starttls is required but host does not support")) {
            return "the relay does not offer STARTTLS, which the URL requires: use smtps:// if it speaks TLS from"
                    + " the start, or tls=none only for a relay on this machine";
        }
        if (relay == null) {
            return null;
        }
        if (result.code() == 530 && reply.contains("starttls") && relay.tls() == SmtpRelay.Tls.NONE) {
            return "the relay demands STARTTLS, which the URL turns off with tls=none: remove tls=none";
        }
        if (result.code() == 530 && !relay.authenticates()) {
            return "the relay demands a login and the URL has none: give smtp://USER:PASSWORD@host (or the password"
                    + " in MAILER_SMTP_URL or mailer.yaml, off the command line)";
        }
        if (result.code() == 535 || result.code() == 534) {
            return "the relay refused the user name or password in the URL";
        }
        return null;
    }
}
