package dev.mailer.transport;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What became of one message handed to a relay.
 *
 * @param outcome        how the caller should treat the recipient
 * @param code           the SMTP reply code, 0 when the server gave none (dropped, timed out)
 * @param enhancedStatus the RFC 3463 status such as {@code 5.1.1} when the reply carries one, else null
 * @param reply          the server's last reply line, e.g. {@code 250 2.0.0 Ok: queued as ABC123}; when
 *                       the server never answered, a short description of the local failure instead
 * @param queueId        the relay's queue id parsed from a 250 reply in a common style, else null
 */
public record SendResult(Outcome outcome, int code, String enhancedStatus, String reply, String queueId) {

    public enum Outcome {
        /** The relay accepted the message (250 after DATA). */
        SENT,
        /** A 4xx reply: try again later. A 421 also ended the session; the next send reconnects. */
        TRANSIENT,
        /** A 5xx reply: this recipient (or message) will not be accepted. */
        PERMANENT,
        /**
         * No reply could be had: refused, dropped, timed out, TLS or login failure. The connection
         * is gone; if it broke after DATA, the relay may or may not have taken the message.
         */
        CONNECTION
    }

    private static final Pattern ENHANCED = Pattern.compile("^[245]\\d\\d[ -]([245]\\.\\d{1,3}\\.\\d{1,3})(?![.\\d])");
    /**
     * Queue ids as common relays report them, tried in order:
     * Postfix "Ok: queued as 4XyZ", Exim "OK id=1rAbCd-0001Xy-2a", Sendmail "x8ABC Message accepted for
     * delivery", Microsoft "<id@host> [InternalId=…] Queued mail for delivery", Gmail
     * "OK  1700000000 a1-2002…gsmtp - gsmtp", Amazon SES "Ok 0100018c…-000000".
     */
    private static final Pattern[] QUEUE_ID = {
            Pattern.compile("queued as ([^\\s;,]+)", Pattern.CASE_INSENSITIVE),
            Pattern.compile("\\bid=([^\\s;,]+)", Pattern.CASE_INSENSITIVE),
            Pattern.compile("^\\d{3}[ -](?:\\d\\.\\d{1,3}\\.\\d{1,3} )?<?([^\\s<>]+?)>? Message accepted",
                    Pattern.CASE_INSENSITIVE),
            Pattern.compile("<([^\\s<>]+)>.*Queued mail for delivery", Pattern.CASE_INSENSITIVE),
            Pattern.compile("^\\d{3}[ -](?:\\d\\.\\d{1,3}\\.\\d{1,3} )?OK\\s+\\d+\\s+(\\S+)\\s+-\\s+gsmtp",
                    Pattern.CASE_INSENSITIVE),
            Pattern.compile("^250 Ok ([0-9a-f]{16,}(?:-[0-9a-f]+)*-\\d{6})$", Pattern.CASE_INSENSITIVE),
    };

    public SendResult {
        Objects.requireNonNull(outcome, "outcome");
    }

    public boolean sent() {
        return outcome == Outcome.SENT;
    }

    /** A result built from a reply the server actually sent. */
    static SendResult fromReply(Outcome outcome, int code, String serverResponse) {
        String line = lastLine(serverResponse);
        String queueId = outcome == Outcome.SENT ? parseQueueId(line) : null;
        return new SendResult(outcome, Math.max(code, 0), parseEnhancedStatus(line), line, queueId);
    }

    /** A result for a failure where the server said nothing (or nothing worth keeping). */
    static SendResult connectionLost(String description) {
        return new SendResult(Outcome.CONNECTION, 0, null, description, null);
    }

    /** The outcome an SMTP reply code calls for. */
    static Outcome classify(int code) {
        if (code >= 200 && code < 300) {
            return Outcome.SENT;
        } else if (code >= 400 && code < 500) {
            return Outcome.TRANSIENT;
        } else if (code >= 500 && code < 600) {
            return Outcome.PERMANENT;
        }
        return Outcome.CONNECTION; // -1 is Angus' end-of-stream, 0 a read that failed
    }

    static String parseEnhancedStatus(String replyLine) {
        if (replyLine == null) {
            return null;
        }
        Matcher m = ENHANCED.matcher(replyLine);
        return m.find() ? m.group(1) : null;
    }

    static String parseQueueId(String replyLine) {
        if (replyLine == null) {
            return null;
        }
        for (Pattern p : QUEUE_ID) {
            Matcher m = p.matcher(replyLine);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    /** Angus joins multi-line replies with '\n' and ends them with one; the last line is the verdict. */
    static String lastLine(String serverResponse) {
        if (serverResponse == null) {
            return null;
        }
        String s = serverResponse.strip();
        int nl = s.lastIndexOf('\n');
        String line = nl < 0 ? s : s.substring(nl + 1).strip();
        return line.isEmpty() ? null : line;
    }
}
