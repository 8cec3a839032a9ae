package dev.mailer.cli;

import dev.mailer.transport.SmtpRelay;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The SMTP relays of a command that sends ({@code send}, {@code consent request}) and their password. */
final class RelayOptions {
    @Option(names = "--smtp", paramLabel = "URL",
            description = "SMTP relay, repeatable: smtp://[user[:password]@]host[:port]?tls=starttls|tls|none&connections=N"
                    + " (default: MAILER_SMTP_URL, else 'smtp' in mailer.yaml). Keep the password off the command"
                    + " line: smtp://user@host with MAILER_SMTP_PASSWORD or --smtp-password-file.")
    List<String> smtp;

    @Option(names = "--smtp-password-file", paramLabel = "FILE",
            description = "File holding the password of relays whose URL names a user without one (default:"
                    + " MAILER_SMTP_PASSWORD, MAILER_SMTP_PASSWORD_FILE, else 'smtp-password-file' in mailer.yaml).")
    Path passwordFile;

    List<SmtpRelay> relays(CliContext context) {
        return context.smtpRelays(smtp, passwordFile);
    }
}
