package dev.mailer.transport;

/**
 * One SMTP reply, all its lines.
 *
 * @param code the three-digit reply code
 * @param text every line as the server sent it (code included), joined with '\n'; the last line
 *             is the verdict, the ones before it are detail (a provider's help link, say)
 */
record SmtpReply(int code, String text) {

    boolean positive() {
        return code >= 200 && code < 300;
    }

    /** 4xx or 5xx: the server refuses what was asked. */
    boolean refusal() {
        return code >= 400 && code < 600;
    }

    /** The outcome for the recipient when this reply ends a transaction. */
    SendResult result() {
        return SendResult.fromReply(SendResult.classify(code), code, text);
    }
}
