package dev.mailer.error;

/**
 * The database stopped answering (or never did): which one, and the driver's reason, kept apart
 * so that a command can say what it leaves behind ("N messages are in doubt") in the one sentence.
 */
public final class DatabaseUnreachable extends MailerException {
    private final String where;
    private final String why;

    public DatabaseUnreachable(String where, String why, Throwable cause) {
        super(ErrorKind.DATABASE_UNREACHABLE, sentence(where, why, null), cause);
        this.where = where;
        this.why = why;
    }

    private DatabaseUnreachable(String where, String why, String leftBehind, Throwable cause) {
        super(ErrorKind.DATABASE_UNREACHABLE, sentence(where, why, leftBehind), cause);
        this.where = where;
        this.why = why;
    }

    /** The same failure, saying what the command leaves behind, e.g. "3 messages are in doubt". */
    public DatabaseUnreachable leaving(String leftBehind) {
        return new DatabaseUnreachable(where, why, leftBehind, getCause());
    }

    private static String sentence(String where, String why, String leftBehind) {
        return "The database at " + where + " stopped answering (" + why + ")"
                + (leftBehind == null ? "" : "; " + leftBehind)
                + "; run the same command again when it is back.";
    }
}
