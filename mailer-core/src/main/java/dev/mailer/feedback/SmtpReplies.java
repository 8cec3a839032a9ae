package dev.mailer.feedback;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading SMTP reply codes (550) and enhanced status codes (RFC 3463, 5.1.1) out of free text. */
final class SmtpReplies {
    /**
     * A reply code followed by a status: "550 5.1.1", "550-5.1.1", "#550 5.2.3", and as relays
     * quote the remote reply after their own words: "550-'5.7.1 …'" (Amazon SES).
     */
    private static final Pattern CODE_AND_STATUS = Pattern.compile(
            "(?<![\\d.])([245][0-5]\\d)[ -]['\"]?#?([245]\\.\\d{1,3}\\.\\d{1,3})(?![\\d.])");
    /** A status on its own; not part of a version number or an IP address. */
    private static final Pattern STATUS = Pattern.compile("(?<![\\d.\\w])#?([245]\\.\\d{1,3}\\.\\d{1,3})(?![\\d.])");
    /** A reply code on its own, as servers print it: "said: 550 …", "<<< 554 …", "#550 …". */
    private static final Pattern CODE = Pattern.compile("(?<![\\w.:/-])#?([45][0-5]\\d)(?=[ -][^\\d]|$)",
            Pattern.MULTILINE);
    private static final Pattern STATUS_ONLY = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    private SmtpReplies() {
    }

    /** The first enhanced status code in the text, or null. */
    static String status(String text) {
        if (text == null) {
            return null;
        }
        Matcher both = CODE_AND_STATUS.matcher(text);
        if (both.find()) {
            return both.group(2);
        }
        Matcher alone = STATUS.matcher(text);
        return alone.find() ? alone.group(1) : null;
    }

    /** The first SMTP reply code (4xx or 5xx) in the text, or 0. */
    static int code(String text) {
        if (text == null) {
            return 0;
        }
        Matcher both = CODE_AND_STATUS.matcher(text);
        if (both.find()) {
            return Integer.parseInt(both.group(1));
        }
        Matcher alone = CODE.matcher(text);
        return alone.find() ? Integer.parseInt(alone.group(1)) : 0;
    }

    /** The status code in a DSN Status field ("5.1.1", "5.1.1 (user unknown)"), or null. */
    static String statusField(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = STATUS_ONLY.matcher(value);
        return m.find() ? m.group() : null;
    }

    /** True for a status that says nothing specific: X.0.0, or none. */
    static boolean isGeneric(String status) {
        return status == null || status.endsWith(".0.0");
    }
}
