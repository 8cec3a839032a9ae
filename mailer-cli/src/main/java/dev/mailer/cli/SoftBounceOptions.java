package dev.mailer.cli;

import dev.mailer.error.MailerException;
import dev.mailer.suppression.SoftBouncePolicy;
import picocli.CommandLine.Option;

/**
 * When soft bounces suppress an address: the same two options for {@code send} (bounces in SMTP
 * replies) and {@code feedback poll} (bounces in the mailbox), so both count alike.
 */
final class SoftBounceOptions {
    @Option(names = "--soft-bounces", defaultValue = "3", paramLabel = "N",
            description = "Soft bounces that suppress an address (default: ${DEFAULT-VALUE}) ...")
    int softBounces;

    @Option(names = "--soft-bounce-days", defaultValue = "30", paramLabel = "DAYS",
            description = "... within this many days (default: ${DEFAULT-VALUE}).")
    int softBounceDays;

    SoftBouncePolicy policy() {
        try {
            return new SoftBouncePolicy(softBounces, softBounceDays);
        } catch (IllegalArgumentException e) {
            throw MailerException.usage("--soft-bounces and --soft-bounce-days must be at least 1.");
        }
    }
}
