package dev.mailer.cli;

import dev.mailer.contacts.EmailAddress;
import dev.mailer.consent.ConsentService;
import dev.mailer.optin.DoubleOptIn;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "request", mixinStandardHelpOptions = true,
        description = {
                "Send a double opt-in confirmation message: its link (unsubscribe-base-url/c/TOKEN, served by"
                        + " 'mailer serve') records the consent with time, IP address and user agent once the"
                        + " person confirms. The request itself is no consent: until then the address is only a"
                        + " contact without consent, never mailed by campaigns.",
                "Refused for erased addresses, for those suppressed (bounced, complaint, manual) and for people who"
                        + " unsubscribed from everything. The link works for 30 days.",
        },
        footer = {"", "Examples:",
                "  mailer consent request anna@example.pl --purpose newsletter",
                "  mailer consent request jelena@example.rs --purpose newsletter \\",
                "      --locale sr-Latn --from 'Kawiarnia <hello@kawiarnia.example>' --json"})
final class ConsentRequestCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--purpose", required = true, paramLabel = "P", description = "What the consent is for, e.g. newsletter.")
    String purpose;

    @Mixin
    RelayOptions relayOptions;

    @Option(names = "--from", paramLabel = "ADDRESS",
            description = "From address (default: no-reply@ the domain of bounce-address or unsubscribe-base-url).")
    String from;

    @Option(names = "--locale", paramLabel = "L",
            description = "Language of the message: pl, sr-Latn or en (default: the contact's, else en).")
    String locale;

    @Option(names = "--json", description = "Print what was sent as one JSON object.")
    boolean json;

    ConsentRequestCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        EmailAddress.require(email); // a typo is reported before anything is opened
        List<SmtpRelay> relays = relayOptions.relays(context);
        DoubleOptIn optIn = context.engine().doubleOptIn(DoubleOptIn.settings(context.config(), from, context.tokens()), context.actor());
        DoubleOptIn.Sent sent;
        try (SmtpPool pool = new SmtpPool(relays, SmtpPool.DEFAULT_COOL_DOWN, context.tlsSockets())) {
            sent = optIn.request(email, purpose, locale, pool);
        }
        if (json) {
            context.printJson(sent);
        } else {
            context.out().printf("Sent a confirmation request for '%s' to %s (in %s)%s. The consent is recorded when"
                            + " the person follows the link, which works until %s.%n", sent.purpose(), sent.email(),
                    sent.language(), sent.contactCreated() ? "; new contact, no consent yet" : "", sent.expiresOn());
        }
        return 0;
    }
}
