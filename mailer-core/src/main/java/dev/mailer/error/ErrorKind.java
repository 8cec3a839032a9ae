package dev.mailer.error;

import java.util.Locale;

/**
 * What kind of failure stopped a command, decided in the core where the failure is understood.
 * Kinds are not exit codes: the command line maps each to its code in one place (SPEC §8), and
 * scripts see the kind by name in {@code --json} errors.
 */
public enum ErrorKind {
    /** A bug or an environment failure nobody could foresee. */
    INTERNAL,
    /** Bad usage of a command: a flag, an argument, an address given on the command line. */
    USAGE,
    /** The configuration: mailer.yaml, environment variables, URLs of relays and mailboxes. */
    CONFIG,
    /** The campaign file. */
    CAMPAIGN_FILE,
    /** A template: missing, unreadable, or failing to render. */
    TEMPLATE,
    /** An input file such as a contacts CSV. */
    INPUT_FILE,
    /** The database schema cannot be brought to the version this build expects. */
    SCHEMA,
    /** Another process holds what this one needs, e.g. the embedded database. */
    BUSY,
    /** No SMTP relay is usable; the campaign can be resumed. */
    NO_RELAY,
    /**
     * The relay or the receiving providers refuse the sender (authentication, reputation, content,
     * quota): rows are held; fix the cause, then run again.
     */
    SENDER_REFUSED,
    /** The database does not answer (down, unreachable, refusing connections); resumable. */
    DATABASE_UNREACHABLE,
    /** The feedback mailbox does not answer or refuses the login; resumable. */
    MAILBOX_UNREACHABLE,
    /** Interrupted by the user; the work can be resumed. */
    INTERRUPTED;

    /** The kind as scripts see it, e.g. {@code database_unreachable}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
