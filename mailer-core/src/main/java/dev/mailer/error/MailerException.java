package dev.mailer.error;

/**
 * A failure with a message meant for the person at the terminal: one clear sentence that names
 * the problem (and the file and line where there is one) and, where possible, what to do.
 */
public class MailerException extends RuntimeException {
    private final ErrorKind kind;

    public MailerException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public MailerException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    /** Bad usage of a command (a flag, an argument). */
    public static MailerException usage(String message) {
        return new MailerException(ErrorKind.USAGE, message);
    }

    /**
     * The same failure as a more specific kind, when the caller knows what was being read: a YAML
     * error in the campaign file is a campaign-file error. Other kinds stay as they are.
     */
    public MailerException asKindOf(ErrorKind specific) {
        return kind == ErrorKind.USAGE ? new MailerException(specific, getMessage(), this) : this;
    }

    public static MailerException of(ErrorKind kind, String message) {
        return new MailerException(kind, message);
    }
}
