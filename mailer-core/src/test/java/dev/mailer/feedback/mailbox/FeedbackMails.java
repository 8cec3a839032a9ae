package dev.mailer.feedback.mailbox;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mails the mailbox tests put into a bounce mailbox, each reduced to the parts the feedback
 * parser reads for its kind: an RFC 3464 delivery report, an RFC 5965 complaint, a mail to the
 * List-Unsubscribe mailto address and an auto-reply. Every mail gets its own Message-ID, which is
 * what makes the recorded event unique.
 */
final class FeedbackMails {
    private static final AtomicLong IDS = new AtomicLong();

    private FeedbackMails() {
    }

    /** A delivery report for {@code recipient} with the given status ("5.1.1" hard, "5.2.2" soft). */
    static byte[] bounce(String verpAddress, String recipient, String status, String originalHeaders) {
        return bounce(verpAddress, recipient, status, null, originalHeaders);
    }

    /** The same with the receiving server's words ({@code smtp; 550-5.7.26 …}) as Diagnostic-Code. */
    static byte[] bounce(String verpAddress, String recipient, String status, String diagnostic,
                         String originalHeaders) {
        String id = id();
        return crlf("""
                From: MAILER-DAEMON@mx.example.net
                To: %1$s
                Subject: Undelivered Mail Returned to Sender
                Message-ID: <%2$s@mx.example.net>
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="%2$s"

                --%2$s
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.net

                Final-Recipient: rfc822; %3$s
                Action: failed
                Status: %4$s
                %6$s
                --%2$s
                Content-Type: text/rfc822-headers

                %5$s
                --%2$s--
                """.formatted(verpAddress, id, recipient, status, originalHeaders.strip(),
                diagnostic == null ? "" : "Diagnostic-Code: smtp; " + diagnostic + "\n"));
    }

    /** An abuse report from a mailbox provider's feedback loop. */
    static byte[] complaint(String recipient, String originalHeaders) {
        String id = id();
        return crlf("""
                From: fbl@feedback.example.net
                To: abuse@kawiarnia.example
                Subject: Abuse report
                Message-ID: <%1$s@feedback.example.net>
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=feedback-report; boundary="%1$s"

                --%1$s
                Content-Type: message/feedback-report

                Feedback-Type: abuse
                Version: 1
                Original-Rcpt-To: %2$s

                --%1$s
                Content-Type: text/rfc822-headers

                %3$s
                --%1$s--
                """.formatted(id, recipient, originalHeaders.strip()));
    }

    /** A mail to the List-Unsubscribe mailto address. */
    static byte[] unsubscribe(String from, String mailtoAddress) {
        return crlf("""
                From: %s
                To: %s
                Subject: unsubscribe
                Message-ID: <%s@client.example.org>

                unsubscribe
                """.formatted(from, mailtoAddress, id()));
    }

    /** An out-of-office reply: not feedback. */
    static byte[] autoReply(String from, String to, String subject) {
        return crlf("""
                From: %s
                To: %s
                Subject: Automatic reply: %s
                Message-ID: <%s@client.example.org>
                Auto-Submitted: auto-replied
                MIME-Version: 1.0
                Content-Type: text/plain; charset=UTF-8

                I am away until Monday.
                """.formatted(from, to, subject, id()));
    }

    /** A mail a person or a list wrote to the bounce address: not feedback the parser knows. */
    static byte[] plainMail(String from, String to, String subject, String body) {
        return crlf("""
                From: %s
                To: %s
                Subject: %s
                Message-ID: <%s@client.example.org>
                MIME-Version: 1.0
                Content-Type: text/plain; charset=UTF-8

                %s
                """.formatted(from, to, subject, id(), body));
    }

    private static String id() {
        return "mailbox-test-" + System.nanoTime() + "-" + IDS.incrementAndGet();
    }

    private static byte[] crlf(String text) {
        return text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
