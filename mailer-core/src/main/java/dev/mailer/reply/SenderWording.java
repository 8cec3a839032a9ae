package dev.mailer.reply;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The replies and bounces that are not about the recipient: the relay or the receiving provider
 * refuses the sender (authentication, reputation and block lists, content judged as spam, sending
 * quotas), or says to slow down. One row per wording, in the words real relays and providers use
 * (README: "What relays and providers say"); the first row that matches decides. A row matches the
 * reply's enhanced status, its text, or either.
 */
final class SenderWording {
    private record Row(Fault fault, Reason reason, Pattern status, Pattern statusInText, Pattern text,
                       String provider, String hint, boolean unambiguous, LimitedBy limitedBy) {
        /**
         * The status counts where the reporter put it (a DSN's Status field, the reply's first
         * status) or anywhere in the text: a DSN may carry a generic 5.0.0 over the provider's
         * "550-5.7.26" quoted in its diagnostic, a multi-line reply the status on every line.
         */
        boolean matches(String status, String lowerText) {
            return (this.status != null && status != null && this.status.matcher(status).matches())
                    || (statusInText != null && statusInText.matcher(lowerText).find())
                    || (text != null && text.matcher(lowerText).find());
        }
    }

    private static final String CHECK_AUTH = "check that the From domain's DKIM record (the selector in mailer.yaml)"
            + " and the SPF record of the envelope sender's domain are published and aligned, and that the domain has"
            + " a DMARC record";

    private static final String CHECK_SPF = "SPF fails for the envelope sender's domain: add the relay's IPs to"
            + " its SPF record";

    private static final List<Row> ROWS = List.of(
            // --- rate limits: slow down, fail nobody ---------------------------------------------------
            rate(LimitedBy.PROVIDER, "4\\.7\\.28", null, "Gmail", "Gmail limits the rate from this IP: send more slowly, on fewer"
                    + " connections, and warm up new IPs or domains"),
            rate(LimitedBy.PROVIDER, null, "\\[tss04\\]|\\bts0[1-4]\\b.{0,40}(defer|try again)", "Yahoo", "Yahoo defers mail from this IP"
                    + " for its rate or its complaints: send more slowly; check complaint rates"),
            rate(LimitedBy.PROVIDER, "4\\.7\\.650", "temporarily rate limited", "Microsoft", "Microsoft rate-limits this IP: send more"
                    + " slowly; new IPs need warming up"),
            rate(LimitedBy.RELAY, null, "throttling failure|maximum sending rate exceeded", "Amazon SES", "your SES account's sending"
                    + " rate is exceeded: lower the campaign's `rate`, or ask AWS for a higher quota"),
            rate(LimitedBy.RELAY, null, "too many (connections|concurrent|simultaneous|sessions)|connection (rate|count) limit"
                    + "|too many (messages|mails|recipients) (in|per|from)|rate limit|ratelimit|rate-limit|throttl"
                    + "|sending (too )?fast|slow down", null, "the relay asks to send more slowly: lower `rate` or"
                    + " the relay's connections=N"),
            // --- the sender is not authenticated ------------------------------------------------------
            sender(Reason.AUTH_FAILED, "5\\.7\\.26", "unauthenticated (email|mail|sender)|sender is unauthenticated|dmarc (policy|check)",
                    "Gmail", "the message failed SPF, DKIM and DMARC: " + CHECK_AUTH, true),
            sender(Reason.AUTH_FAILED, "5\\.7\\.27", "does not pass spf|spf (check )?fail", "Gmail",
                    CHECK_SPF, true),
            sender(Reason.AUTH_FAILED, "5\\.7\\.25", "reverse dns|\\bptr record", "Gmail",
                    "the sending IP has no reverse DNS (PTR) matching its host name: ask the relay's provider", true),
            sender(Reason.AUTH_FAILED, "5\\.7\\.515", "required authentication level", "Microsoft",
                    "Outlook.com requires SPF, DKIM and DMARC for bulk mail: " + CHECK_AUTH, true),
            sender(Reason.AUTH_FAILED, "5\\.7\\.23", null, "Microsoft",
                    CHECK_SPF, true),
            sender(Reason.AUTH_FAILED, null, "(email address|identit(y|ies)|domain)s? (is |are )?not verified"
                    + "|not verified.{0,40}identit", "Amazon SES", "verify the sender's address or domain in SES"
                    + " (and leave the SES sandbox to mail unverified recipients)", true),
            sender(Reason.AUTH_FAILED, "5\\.7\\.8|5\\.7\\.0 authentication required|5\\.5\\.1 authentication required",
                    "authentication (required|failed|credentials invalid)|(must|need to) authenticate|sender not"
                            + " authenticated", null, "the relay wants a login that works: check the user and"
                            + " password in the --smtp URL", true),
            // --- reputation and block lists -----------------------------------------------------------
            sender(Reason.BLOCKED, "5\\.7\\.28", "(blocked|listed) (using|at|in|on|by) .{0,40}(spamhaus|spamcop"
                    + "|barracuda|sorbs|uceprotect|abuseat|dnsbl)|zen\\.spamhaus|spamhaus\\.org", "Spamhaus and others",
                    "the sending IP or domain is on a block list: see the list's lookup page for why and how to get"
                            + " delisted, and ask the relay's provider", true),
            sender(Reason.BLOCKED, null, "\\bs3150\\b|\\bs3140\\b|block ?list.{0,40}(ip|sender)|(ip|sender|domain)"
                    + ".{0,40}block ?list", "Microsoft", "Microsoft has the sending IP on its block list: ask for"
                    + " delisting at sender.office.com", true),
            sender(Reason.BLOCKED, null, "\\[tss09\\]|\\bts03\\b|permanently deferred", "Yahoo",
                    "Yahoo refuses mail from this IP: check complaint rates and authentication, then contact Yahoo's"
                            + " sender support", true),
            sender(Reason.BLOCKED, null, "\\bcs0[1-9]\\b", "Apple iCloud",
                    "iCloud refuses mail from this sender: check SPF, DKIM and the IP's reputation", true),
            sender(Reason.BLOCKED, null, "(poor|bad|low) reputation|reputation of (the|your)|sender reputation"
                    + "|ip (address )?(has been |is )?(blocked|blacklisted|banned)|your (ip|host|server).{0,30}"
                    + "(blocked|listed|banned)", null, "the receiving provider distrusts the sending IP or domain:"
                    + " check block lists, complaint rates and authentication", false),
            // --- content judged as spam ----------------------------------------------------------------
            sender(Reason.CONTENT, null, "(message|mail|content|e-?mail)s? (was |has been |is )?(rejected|blocked|"
                    + "refused|classified|identified|detected|considered) (as|because|due to).{0,30}(spam|junk|bulk|"
                    + "unsolicited)|spam (message |content )?(detected|rejected|score)|looks like spam|high probability"
                    + " of spam|suspected spam|(spam|junk|bulk) (filter|content)|unsolicited (bulk )?(mail|e-?mail)",
                    null, "the message itself was judged as spam: look at its links, images and wording, and at"
                            + " authentication", false),
            // --- sending quotas ------------------------------------------------------------------------
            sender(Reason.POLICY, "5\\.4\\.5", "(daily|hourly|sending|outbound|message) (user )?(sending )?(limit|quota)"
                    + " (exceeded|reached)|(exceeded|reached) (the |your )?(daily|hourly|sending) (limit|quota)"
                    + "|quota exceeded for (sending|outbound)", null, "the relay account's sending quota is used up:"
                    + " wait for it to reset, or raise it with the provider", true));

    private SenderWording() {
    }

    /** The sender-fault or rate-limit row the reply matches; empty when it is about the recipient. */
    static Optional<ReplyVerdict> match(String status, String text) {
        String lower = text == null ? "" : text.toLowerCase(Locale.ROOT);
        for (Row row : ROWS) {
            if (row.matches(status, lower)) {
                return Optional.of(new ReplyVerdict(row.fault(), row.reason(), false, row.provider(), row.hint(),
                        row.unambiguous(), row.limitedBy()));
            }
        }
        return Optional.empty();
    }

    private static Row rate(LimitedBy scope, String status, String text, String provider, String hint) {
        return row(Fault.RATE_LIMIT, Reason.RATE_LIMITED, status, text, provider, hint, true, scope);
    }

    private static Row sender(Reason reason, String status, String text, String provider, String hint,
                              boolean unambiguous) {
        return row(Fault.SENDER, reason, status, text, provider, hint, unambiguous, null);
    }

    private static Row row(Fault fault, Reason reason, String status, String text, String provider, String hint,
                           boolean unambiguous, LimitedBy scope) {
        return new Row(fault, reason, status == null ? null : Pattern.compile(status),
                status == null ? null : Pattern.compile("(?<![\\d.])(" + status + ")(?![\\d.])"),
                text == null ? null : Pattern.compile(text), provider, hint, unambiguous, scope);
    }
}
