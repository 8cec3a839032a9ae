package dev.mailer.error;

/**
 * A failure with a message meant for the person at the terminal: one clear sentence that names
 * the problem (and the file and line where there is one) and, where possible, what to do.
 */
public class MailerException extends RuntimeException {
    private final ErrorCode code;

    public MailerException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public MailerException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static MailerException usage(String message) {
        return new MailerException(ErrorCode.USAGE, message);
    }
}
