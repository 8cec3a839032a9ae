package dev.mailer.error;

/**
 * What kind of failure stopped a command. Decided in the core where the failure is understood;
 * the command line maps each to its exit code in one place (SPEC §8).
 */
public enum ErrorCode {
    /** A bug or an environment failure nobody could foresee. Exit 1. */
    INTERNAL(1),
    /** Bad usage, configuration, campaign file, template or input file. Exit 2. */
    USAGE(2),
    /** Another process holds what this one needs, e.g. the embedded database. Exit 3. */
    BUSY(3),
    /** No SMTP relay is usable; the campaign can be resumed. Exit 4. */
    NO_RELAY(4),
    /** Interrupted by the user; the work can be resumed. Exit 130. */
    INTERRUPTED(130);

    private final int exitCode;

    ErrorCode(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
