package dev.mailer.cli.bench;

import dev.mailer.cli.CliContext;
import dev.mailer.feedback.FeedbackParser;
import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "parse", mixinStandardHelpOptions = true,
        description = {"Time the feedback parser on a mix of messages generated in memory: Postfix and Exchange"
                + " delivery reports, Exim and qmail text bounces, a Gmail delay, an ARF complaint, an auto-reply"
                + " and an unsubscribe mail, each with signed tokens. No database, no mailbox."},
        footer = {"", "Examples:",
                "  ./mailer bench parse",
                "  ./mailer bench parse --messages 500000 --threads 4 --json"})
final class BenchParseCommand implements Callable<Integer> {
    private static final int DISTINCT = 1000;
    private static final int WARM_UP = 5000;
    private final CliContext context;

    @Option(names = "--messages", defaultValue = "200000", paramLabel = "N", description = "Messages (default ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: one per core).")
    Integer threads;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    BenchParseCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        int threadCount = threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret); // a throw-away key: the tokens only have to verify here
        TokenSigner signer = new TokenSigner(secret);
        List<byte[]> mix = SyntheticFeedback.generate(signer, DISTINCT);
        FeedbackParser parser = new FeedbackParser(signer);
        for (int i = 0; i < WARM_UP; i++) { // let the JIT compile before timing
            parser.parse(mix.get(i % mix.size()));
        }
        AtomicLong next = new AtomicLong();
        LongAdder entries = new LongAdder();
        LongAdder bytes = new LongAdder();
        ExecutorService pool = Executors.newFixedThreadPool(threadCount);
        long started = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                workers.add(pool.submit(() -> {
                    for (long i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
                        byte[] message = mix.get((int) (i % mix.size()));
                        entries.add(parser.parse(message).size());
                        bytes.add(message.length);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdown();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("messages", messages);
        out.put("threads", threadCount);
        out.put("elapsedSeconds", Math.round(seconds * 100) / 100.0);
        out.put("messagesPerSecond", Math.round(messages / seconds));
        out.put("entries", entries.sum());
        out.put("averageBytes", messages == 0 ? 0 : bytes.sum() / messages);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        if (json) {
            context.printJson(out);
        } else {
            out.forEach((k, v) -> context.out().printf("%-18s %s%n", k, v));
        }
        return 0;
    }

    /**
     * Feedback messages in the shapes the parser meets most, filled in per recipient. Written for
     * the benchmark (the test corpus stays in the tests): compact, but each takes the parser's
     * real path for its kind.
     */
    static final class SyntheticFeedback {
        private static final String[] DOMAINS = {"poczta.example", "firma.example", "gmail.example", "outlook.example"};

        private SyntheticFeedback() {
        }

        static List<byte[]> generate(TokenSigner signer, int count) {
            long day = LocalDate.now().toEpochDay();
            List<byte[]> messages = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String rcpt = "person" + i + "@" + DOMAINS[i % DOMAINS.length];
                String bounce = signer.sign(new Token(Token.Kind.BOUNCE, 7, i + 1, null, day));
                String unsubscribe = signer.sign(new Token(Token.Kind.UNSUBSCRIBE, 7, i + 1, null, day));
                String original = original(rcpt, unsubscribe, i);
                String verp = "bounces+" + bounce + "@shop.example";
                String text = switch (i % 8) {
                    case 0 -> postfixDsn(verp, rcpt, original, i);
                    case 1 -> eximText(verp, rcpt, original, i);
                    case 2 -> qmailText(verp, rcpt, original);
                    case 3 -> exchangeNdr(verp, rcpt, original, i);
                    case 4 -> gmailDelay(verp, rcpt, original, i);
                    case 5 -> arf(rcpt, verp, original, i);
                    case 6 -> autoReply(verp, rcpt, i);
                    default -> unsubscribeMail(rcpt, unsubscribe, i);
                };
                messages.add(text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            return messages;
        }

        /** Our message as returned: its headers and, where a bounce quotes it all, a 2 KB body. */
        private static String original(String rcpt, String token, int i) {
            return """
                    Received: from mail.shop.example (mail.shop.example [198.51.100.7])
                    	by mx.example.net (Postfix) with ESMTPS id 4QmX1d0Kb3z1yZ
                    	for <%2$s>; Mon,  2 Mar 2026 09:15:03 +0100 (CET)
                    DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=shop.example; s=mailer;
                    	h=from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post:feedback-id;
                    	bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
                    	b=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgaXQgaGFzIHRoZSByaWdodCBsZW5ndGggZm9yIGEgYmVuY2g=
                    Message-ID: <orig%1$d@shop.example>
                    From: Shop <news@shop.example>
                    To: %2$s
                    Subject: =?UTF-8?Q?Nowo=C5=9Bci?=
                    Date: Mon, 2 Mar 2026 09:15:02 +0100
                    List-Unsubscribe: <https://shop.example/u/%3$s>, <mailto:unsubscribe+%3$s@shop.example>
                    List-Unsubscribe-Post: List-Unsubscribe=One-Click
                    Feedback-ID: news-2026-12:newsletter:shop.example:mailer
                    MIME-Version: 1.0
                    Content-Type: text/plain; charset=UTF-8
                    Content-Transfer-Encoding: quoted-printable

                    %4$s""".formatted(i, rcpt, token, BODY);
        }

        private static final String BODY = ("Dzie=C5=84 dobry, w marcu zapraszamy na nowe ciasta i kaw=C4=99 z"
                + " w=C5=82asnej palarni. Rezerwacje: https://shop.example/rezerwacje =\n").repeat(24);

        private static String postfixDsn(String verp, String rcpt, String original, int i) {
            return """
                    Return-Path: <>
                    From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
                    To: %1$s
                    Subject: Undelivered Mail Returned to Sender
                    Message-Id: <dsn%3$d@mx.example.net>
                    MIME-Version: 1.0
                    Content-Type: multipart/report; report-type=delivery-status; boundary="B%3$d"

                    --B%3$d
                    Content-Type: text/plain; charset=us-ascii

                    This is the mail system at host mx.example.net.

                    I'm sorry to have to inform you that your message could not
                    be delivered to one or more recipients. It's attached below.

                    <%2$s>: host mail.example.net[192.0.2.1] said: 550 5.1.1
                        <%2$s>: Recipient address rejected: User unknown (in reply to RCPT TO command)

                    --B%3$d
                    Content-Type: message/delivery-status

                    Reporting-MTA: dns; mx.example.net

                    Final-Recipient: rfc822; %2$s
                    Original-Recipient: rfc822;%2$s
                    Action: failed
                    Status: 5.1.1
                    Diagnostic-Code: smtp; 550 5.1.1 <%2$s>: Recipient address rejected: User unknown

                    --B%3$d
                    Content-Type: text/rfc822-headers

                    %4$s
                    --B%3$d--
                    """.formatted(verp, rcpt, i, original);
        }

        private static String eximText(String verp, String rcpt, String original, int i) {
            return """
                    Return-path: <>
                    X-Failed-Recipients: %2$s
                    Auto-Submitted: auto-replied
                    From: Mail Delivery System <Mailer-Daemon@relay.example.org>
                    To: %1$s
                    Subject: Mail delivery failed: returning message to sender
                    Message-Id: <E1exim%3$d@relay.example.org>

                    This message was created automatically by mail delivery software.

                    A message that you sent could not be delivered to one or more of its
                    recipients. This is a permanent error. The following address(es) failed:

                      %2$s
                        SMTP error from remote mail server after RCPT TO:<%2$s>:
                        host mx.example.org [192.0.2.2]: 552 5.2.2 Mailbox full

                    ------ This is a copy of the message, including all the headers. ------

                    %4$s
                    Hello
                    """.formatted(verp, rcpt, i, original);
        }

        private static String qmailText(String verp, String rcpt, String original) {
            return """
                    Return-Path: <>
                    From: MAILER-DAEMON@mx.hosting.example
                    To: %1$s
                    Subject: failure notice

                    Hi. This is the qmail-send program at mx.hosting.example.
                    I'm afraid I wasn't able to deliver your message to the following addresses.
                    This is a permanent error; I've given up. Sorry it didn't work out.

                    <%2$s>:
                    Sorry, no mailbox here by that name. (#5.1.1)

                    --- Below this line is a copy of the message.

                    %3$s
                    Hello
                    """.formatted(verp, rcpt, original);
        }

        private static String exchangeNdr(String verp, String rcpt, String original, int i) {
            return """
                    From: postmaster@example.com
                    To: <%1$s>
                    Subject: Undeliverable: News
                    Message-ID: <ndr%3$d@EX01.example.com>
                    MIME-Version: 1.0
                    Content-Type: multipart/report; report-type=delivery-status; boundary="N%3$d"

                    --N%3$d
                    Content-Type: multipart/alternative; boundary="A%3$d"

                    --A%3$d
                    Content-Type: text/plain; charset="us-ascii"

                    Delivery has failed to these recipients or groups:

                    %2$s
                    The email address you entered couldn't be found.

                    --A%3$d
                    Content-Type: text/html; charset="us-ascii"

                    <html><body><p>Delivery has failed to these recipients or groups:</p><p>%2$s</p></body></html>
                    --A%3$d--

                    --N%3$d
                    Content-Type: message/delivery-status

                    Reporting-MTA: dns;EX01.example.com

                    Final-Recipient: rfc822;%2$s
                    Action: failed
                    Status: 5.1.10
                    Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found

                    --N%3$d
                    Content-Type: message/rfc822

                    %4$s
                    Hello
                    --N%3$d--
                    """.formatted(verp, rcpt, i, original);
        }

        private static String gmailDelay(String verp, String rcpt, String original, int i) {
            return """
                    From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
                    To: %1$s
                    Subject: Delivery Status Notification (Delay)
                    Message-ID: <delay%3$d@mx.google.example>
                    Content-Type: multipart/report; report-type=delivery-status; boundary="G%3$d"

                    --G%3$d
                    Content-Type: text/plain; charset="UTF-8"

                    There was a temporary problem delivering your message to %2$s.

                    --G%3$d
                    Content-Type: message/delivery-status

                    Reporting-MTA: dns; googlemail.com

                    Final-Recipient: rfc822; %2$s
                    Action: delayed
                    Status: 4.4.1
                    Diagnostic-Code: smtp; The recipient server did not accept our requests to connect.

                    --G%3$d
                    Content-Type: text/rfc822-headers

                    %4$s
                    --G%3$d--
                    """.formatted(verp, rcpt, i, original);
        }

        private static String arf(String rcpt, String verp, String original, int i) {
            return """
                    From: Mail Feedback <fbl@isp.example>
                    To: abuse@shop.example
                    Subject: FW: News
                    Message-ID: <arf%3$d@isp.example>
                    MIME-Version: 1.0
                    Content-Type: multipart/report; report-type=feedback-report; boundary="F%3$d"

                    --F%3$d
                    Content-Type: text/plain

                    This is an email abuse report for an email message received from IP 198.51.100.7.

                    --F%3$d
                    Content-Type: message/feedback-report

                    Feedback-Type: abuse
                    User-Agent: isp-fbl/2.0
                    Version: 1
                    Original-Mail-From: <%2$s>
                    Original-Rcpt-To: <%1$s>

                    --F%3$d
                    Content-Type: message/rfc822

                    %4$s
                    Hello
                    --F%3$d--
                    """.formatted(rcpt, verp, i, original);
        }

        private static String autoReply(String verp, String rcpt, int i) {
            return """
                    From: Person <%2$s>
                    To: %1$s
                    Subject: Automatic reply: News
                    Message-ID: <ooo%3$d@example.com>
                    Auto-Submitted: auto-replied
                    Content-Type: text/plain; charset=utf-8

                    I am out of the office until Monday; your message will not be forwarded.
                    """.formatted(verp, rcpt, i);
        }

        private static String unsubscribeMail(String rcpt, String token, int i) {
            return """
                    From: <%1$s>
                    To: unsubscribe+%2$s@shop.example
                    Subject: unsubscribe
                    Message-ID: <unsub%3$d@example.com>
                    Content-Type: text/plain; charset=utf-8

                    Please remove me.
                    """.formatted(rcpt, token, i);
        }
    }
}
