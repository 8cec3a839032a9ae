package dev.mailer.feedback;

import static dev.mailer.feedback.FeedbackCorpusTest.BOUNCE_TOKEN;
import static dev.mailer.feedback.FeedbackCorpusTest.CAMPAIGN;
import static dev.mailer.feedback.FeedbackCorpusTest.CONTACT;
import static dev.mailer.feedback.FeedbackCorpusTest.SIGNER;
import static dev.mailer.feedback.FeedbackCorpusTest.UNSUBSCRIBE_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FeedbackParserTest {
    private static final Duration QUICK = Duration.ofSeconds(10);
    private final FeedbackParser parser = new FeedbackParser(SIGNER);

    private List<Feedback> parse(String message) {
        return parser.parse(message.getBytes(StandardCharsets.UTF_8));
    }

    /** A Postfix-style DSN for the given recipient blocks. */
    private static String dsn(String messageId, String recipientBlocks) {
        return """
                Return-Path: <>
                From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
                To: bounces+%s@shop.example
                Subject: Undelivered Mail Returned to Sender
                %sMIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="B"

                --B
                Content-Type: text/plain

                I'm sorry to have to inform you that your message could not
                be delivered to one or more recipients.

                --B
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.net

                %s
                --B--
                """.formatted(BOUNCE_TOKEN, messageId == null ? "" : "Message-ID: " + messageId + "\n", recipientBlocks);
    }

    @Test
    void oneEntryPerFailedOrDelayedRecipientOfAReport() {
        List<Feedback> entries = parse(dsn("<r1@mx.example.net>", """
                Final-Recipient: rfc822; Anna@Example.com
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; 550 5.1.1 user unknown

                Final-Recipient: rfc822; bob@example.com
                Action: delayed
                Status: 4.2.2
                Diagnostic-Code: smtp; 452 4.2.2 mailbox full

                Final-Recipient: rfc822; carl@example.com
                Action: delivered
                Status: 2.0.0
                """));
        assertThat(entries).extracting(Feedback::recipient, Feedback::action, Feedback::hard, Feedback::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("anna@example.com", "failed", true, "5.1.1"),
                        org.assertj.core.groups.Tuple.tuple("bob@example.com", "delayed", false, "4.2.2"));
        assertThat(entries).extracting(Feedback::sourceKey)
                .containsExactly("<r1@mx.example.net>#anna@example.com", "<r1@mx.example.net>#bob@example.com");
        assertThat(entries).allSatisfy(f -> {
            assertThat(f.type()).isEqualTo(FeedbackType.BOUNCE);
            assertThat(f.campaignId()).isEqualTo(CAMPAIGN);
            assertThat(f.contactId()).isEqualTo(CONTACT);
        });
    }

    @Test
    void recipientBlocksWithoutBlankLinesBetweenThemAreStillSeparate() {
        List<Feedback> entries = parse(dsn("<r2@mx.example.net>", """
                Original-Recipient: rfc822;one@example.com
                Final-Recipient: rfc822;one@example.com
                Action: failed
                Status: 5.1.1
                Original-Recipient: rfc822;two@example.com
                Final-Recipient: rfc822;two@example.com
                Action: failed
                Status: 5.2.2
                """));
        assertThat(entries).extracting(Feedback::recipient, Feedback::hard)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("one@example.com", true),
                        org.assertj.core.groups.Tuple.tuple("two@example.com", false));
    }

    @Test
    void aReportOfSuccessOnlyIsUnknown() {
        List<Feedback> entries = parse(dsn("<r3@mx.example.net>", """
                Final-Recipient: rfc822; carl@example.com
                Action: relayed
                Status: 2.0.0
                """));
        assertThat(entries).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(FeedbackType.UNKNOWN);
            assertThat(f.sourceKey()).isEqualTo("<r3@mx.example.net>");
        });
    }

    @Test
    void anExpandedAliasNamesTheFailedAddressAndTheOneWeMailed() {
        Feedback entry = parse(dsn("<r5@mx.example.net>", """
                Final-Recipient: rfc822; skarbnik@stowarzyszenie.example
                Original-Recipient: rfc822;zarzad@stowarzyszenie.example
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; 550 5.1.1 <skarbnik@stowarzyszenie.example>: user unknown
                """)).get(0);
        assertThat(entry.recipient()).isEqualTo("skarbnik@stowarzyszenie.example");
        assertThat(entry.sentTo()).isEqualTo("zarzad@stowarzyszenie.example");
        assertThat(entry.addressWeMailed()).isEqualTo("zarzad@stowarzyszenie.example");
        assertThat(entry.hard()).isTrue();

        Feedback direct = parse(dsn("<r6@mx.example.net>", """
                Final-Recipient: rfc822; dora@example.com
                Original-Recipient: rfc822;dora@example.com
                Action: failed
                Status: 5.1.1
                """)).get(0);
        assertThat(direct.sentTo()).isNull();
        assertThat(direct.addressWeMailed()).isEqualTo("dora@example.com");
    }

    @Test
    void aGenericStatusTakesTheSpecificOneFromTheDiagnostic() {
        Feedback entry = parse(dsn("<r4@mx.example.net>", """
                Final-Recipient: rfc822; dora@example.com
                Action: failed
                Status: 5.0.0
                Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.
                """)).get(0);
        assertThat(entry.status()).isEqualTo("5.1.1");
        assertThat(entry.hard()).isTrue();
        assertThat(entry.diagnostic()).startsWith("550-5.1.1 The email account");
    }

    @Test
    void aFailedRecordWithATemporaryAddressStatusIsFinal() {
        Feedback entry = parse(dsn("<r10@mx.example.net>", """
                Final-Recipient: rfc822; ewa@example.com
                Action: failed
                Status: 4.1.1
                Diagnostic-Code: smtp; 450 4.1.1 <ewa@example.com>: Recipient address rejected: User unknown
                """)).get(0);
        assertThat(entry.hard()).isTrue();
    }

    @Test
    void aFailedRecordWithAnotherTemporaryStatusStaysSoft() {
        Feedback entry = parse(dsn("<r11@mx.example.net>", """
                Final-Recipient: rfc822; ewa@example.com
                Action: failed
                Status: 4.4.7
                Diagnostic-Code: smtp; 450 4.4.7 host mx.example.com not found, try again
                """)).get(0);
        assertThat(entry.hard()).isFalse();
    }

    @Test
    void headerLinesQuotedInAForwardedBounceAreNoReason() {
        String message = """
                From: jan@example.org
                To: bounces@example.org
                Subject: Fwd: Returned mail: see transcript for details
                Message-ID: <fwd1@example.org>

                Begin forwarded message:
                > From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>
                > Subject: Returned mail: see transcript for details
                >
                >    ----- The following addresses had permanent fatal errors -----
                > <olga@example.com>
                >     (reason: 550 5.1.1 <olga@example.com>... User unknown)
                >
                > Received: from relay.example.org ([192.0.2.10])
                > 	(authenticated bits=0)
                > 	by mx.example.org with ESMTPSA id x1 for <olga@example.com>
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("olga@example.com");
            assertThat(f.hard()).isTrue();
        });
    }

    @Test
    void aBounceForwardedAsAnAttachmentIsReadFromItsOwnReport() {
        // a gateway passes the report on inside its own notice: the inner report says what failed
        String message = """
                From: Mail Delivery Subsystem <MAILER-DAEMON@gw.example.org>
                To: helpdesk@example.org
                Subject: Returned mail: User unknown
                Message-ID: <fwd2@gw.example.org>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="OUT"

                --OUT
                Content-Type: text/plain

                ----- The following addresses had permanent delivery errors -----

                --OUT
                Content-Type: message/rfc822

                From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>
                To: helpdesk@example.org
                Subject: Returned mail: User unknown
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="IN"

                --IN
                Content-Type: text/plain

                ----- The following addresses had permanent delivery errors -----
                milan@example.net

                --IN
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.net

                Final-Recipient: rfc822; milan@example.net
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; 550 5.1.1 User unknown

                --IN
                Content-Type: message/rfc822

                From: news@example.org
                To: milan@example.net
                Subject: News

                Hello
                --IN--

                --OUT--
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(FeedbackType.BOUNCE);
            assertThat(f.recipient()).isEqualTo("milan@example.net");
            assertThat(f.status()).isEqualTo("5.1.1");
            assertThat(f.hard()).isTrue();
            assertThat(f.sourceKey()).isEqualTo("<fwd2@gw.example.org>#milan@example.net");
        });
    }

    @Test
    void aReportForwardedInlineIsReadFromItsOwnReport() {
        String message = """
                From: Jan Novak <jan@example.org>
                To: lists@example.org
                Subject: Fwd: Undelivered Mail Returned to Sender
                Message-ID: <fwd3@example.org>

                Could you take her off the list?

                ---------- Forwarded message ---------
                Return-Path: <>
                From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
                Date: Mon, 2 Mar 2026 10:00:00 +0100
                Subject: Undelivered Mail Returned to Sender
                To: jan@example.org
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="R"

                --R
                Content-Type: text/plain

                <vera@example.net>: host mx.example.net said: 452 4.2.2 Mailbox full

                --R
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.net

                Final-Recipient: rfc822; vera@example.net
                Action: failed
                Status: 4.2.2
                Diagnostic-Code: smtp; 452 4.2.2 Mailbox full
                --R--
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("vera@example.net");
            assertThat(f.status()).isEqualTo("4.2.2");
            assertThat(f.hard()).isFalse();
        });
    }

    @Test
    void aTextBounceForwardedInlineNamesItsOwnFailure() {
        String message = """
                From: Jan Novak <jan@example.org>
                To: lists@example.org
                Subject: Fwd: Mail delivery failed: returning message to sender
                Message-ID: <fwd5@example.org>

                This one keeps bouncing.

                ---------- Forwarded message ---------
                From: Mail Delivery System <Mailer-Daemon@mx.example.org>
                Date: Mon, 2 Mar 2026 at 10:00
                Subject: Mail delivery failed: returning message to sender
                To: <jan@example.org>

                This message was created automatically by mail delivery software.

                A message that you sent could not be delivered to one or more of its
                recipients. This is a permanent error. The following address(es) failed:

                  lara@example.net
                    host mx.example.net [192.0.2.7]
                    SMTP error from remote mail server after RCPT TO:<lara@example.net>:
                    550 5.1.1 <lara@example.net>: Recipient address rejected: User unknown
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("lara@example.net");
            assertThat(f.hard()).isTrue();
        });
    }

    @Test
    void ourOwnMessageThatTalksOfDeliveryIsNoForwardedBounce() {
        String message = """
                From: MAILER-DAEMON@mx.example.net
                To: bounces@shop.example
                Subject: failure notice
                Message-ID: <own1@mx.example.net>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="Q"

                --Q
                Content-Type: text/plain

                Hi. This is the qmail-send program at mx.example.net.
                I'm afraid I wasn't able to deliver your message to the following addresses.
                This is a permanent error; I've given up. Sorry it didn't work out.

                <rosa@example.net>:
                Sorry, no mailbox here by that name. (#5.1.1)

                --Q
                Content-Type: message/rfc822

                From: Parcel Service <news@shop.example>
                To: rosa@example.net
                Subject: Your parcel could not be delivered

                We could not deliver your parcel. Reply to help@shop.example to arrange a new date.
                --Q--
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("rosa@example.net");
            assertThat(f.hard()).isTrue();
        });
    }

    @Test
    void aGatewayNoticeWithoutAReasonTakesItFromTheReturnedBounce() {
        // a filter could not pass a bounce on; the bounce it returns has the transcript
        String message = """
                From: Gateway <postmaster@filter.example.org>
                To: jan@example.org
                Subject: Mail could not be delivered
                Message-ID: <fwd4@filter.example.org>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="G"

                --G
                Content-Type: text/plain

                The following mail could not be delivered.
                Reason:  Unable to deliver message to <ivo@example.net>.

                --G
                Content-Type: message/rfc822

                From: jan@example.org
                To: ivo@example.net
                Subject: Returned mail

                ----- The following addresses had permanent fatal errors -----
                <ivo@example.net>

                ----- Transcript of session follows -----
                >>> RCPT To:<ivo@example.net>
                <<< 550 5.1.1 <ivo@example.net>... Mailbox does not exist
                --G--
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("ivo@example.net");
            assertThat(f.status()).isEqualTo("5.1.1");
            assertThat(f.hard()).isTrue();
        });
    }

    @Test
    void japaneseTextInAPartThatNamesNoCharsetIsDecoded() {
        // Notes/Domino writes its Japanese reason in ISO-2022-JP into a delivery-status part that
        // names no charset: undecoded, "not found in the directory" is only escape sequences
        String jis = new String("ユーザー 山田 (yamada@example.jp) はディレクトリに見つかりません".getBytes(
                java.nio.charset.Charset.forName("ISO-2022-JP")), StandardCharsets.US_ASCII);
        Feedback entry = parse(dsn("<jis1@mx.example.net>", """
                Final-Recipient: rfc822; yamada@example.jp
                Action: failed
                Status: 5.0.0
                Diagnostic-Code: X-Notes; %s
                """.formatted(jis))).get(0);
        assertThat(entry.recipient()).isEqualTo("yamada@example.jp");
        assertThat(entry.diagnostic()).contains("ディレクトリに見つかりません");
        assertThat(entry.hard()).isTrue();
    }

    @Test
    void aSummaryOfTheOriginalIsNoCopyOfItsHeaders() {
        // IMail sums the original up in header-like lines (no From, no Received) before the failure
        String message = """
                From: "Postmaster" <postmaster@mail.example.org>
                To: <jan@example.org>
                Subject: Undeliverable Mail
                Message-ID: <imail1@mail.example.org>

                To: jan@example.org
                CC:
                Date: Monday, Mar 2, 2026 10:00:00 AM
                Subject: Spring offers

                undeliverable to petra@example.net

                Body of message generated response:
                550 5.7.1 Message rejected: blacklisted URL in message
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("petra@example.net");
            assertThat(f.hard()).isFalse();
        });
    }

    @Test
    void aReplyThatRefusesTheSendersAddressIsNoFaultOfTheRecipient() {
        // the relay's own label ("Unknown address error") over the remote's refusal of MAIL FROM
        String message = """
                From: MAILER-DAEMON@relay.example.net
                To: news@shop.example
                Subject: Delivery Status Notification (Failure)
                Message-ID: <snd1@relay.example.net>
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="S"

                --S
                Content-Type: message/delivery-status

                Reporting-MTA: dns; relay.example.net

                Final-Recipient: rfc822;tomas@example.com
                Action: failed
                Status: 5.0.0 (permanent failure)
                Diagnostic-Code: smtp; 5.1.0 - Unknown address error 550-'5.7.1 <bounce-77@mail.shop.example>... Access denied' (delivery attempts: 0)

                --S
                Content-Type: message/rfc822

                Return-Path: <bounce-77@mail.shop.example>
                From: news@shop.example
                To: tomas@example.com
                Subject: News

                Hello
                --S--
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("tomas@example.com");
            assertThat(f.status()).as("the remote's status, not the relay's label").isEqualTo("5.7.1");
            assertThat(f.hard()).isFalse();
        });
    }

    @Test
    void withSeveralFailuresEachAddressIsJudgedByItsOwnReplies() {
        // sendmail's transcript goes from one host to the next: what follows a recipient's
        // own reply line may be about the next recipient
        String message = """
                From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>
                To: news@shop.example
                Subject: Returned mail: see transcript for details
                Message-ID: <multi1@mx.example.org>

                   ----- Transcript of session follows -----
                554 <ana@example.net>... Remote protocol error: Connection reset by peer during result wait
                550 example.com (smtp)... 550 Host unknown
                554 <boris@example.com>... 550 Host unknown (Authoritative answer from name server)
                While talking to mx.example.info:
                >>> QUIT
                421 mx.example.info (smtp)... Deferred: Connection timed out
                While talking to mail.example.biz:
                >>> RCPT To:<cene@example.biz>
                <<< 550 No such user here
                550 <cene@example.biz>... User unknown
                """;
        assertThat(parse(message)).extracting(Feedback::recipient, Feedback::hard).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ana@example.net", false),
                org.assertj.core.groups.Tuple.tuple("boris@example.com", true),
                org.assertj.core.groups.Tuple.tuple("cene@example.biz", true));
    }

    @Test
    void aReportWithoutADiagnosticForOneRecipientIsJudgedByTheWholeText() {
        // the reason stands above the address line; the report itself says only 5.0.0
        String message = """
                From: MAILER-DAEMON@mx.example.jp (Mail Delivery System)
                To: news@shop.example
                Subject: Undelivered Mail Returned to Sender
                Message-ID: <whole1@mx.example.jp>
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="W"

                --W
                Content-Type: text/plain

                Your message could not be delivered to the following recipient.

                The user's account is suspended.

                <hana@example.jp>: 550 user unknown (in reply to RCPT TO command)

                --W
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.jp

                Final-Recipient: rfc822; hana@example.jp
                Action: failed
                Status: 5.0.0
                --W--
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("hana@example.jp");
            assertThat(f.hard()).as("a suspended account is soft").isFalse();
            assertThat(f.diagnostic()).startsWith("<hana@example.jp>: 550 user unknown");
        });
    }

    @Test
    void aListServersLoopAlertIsASoftBounceForTheListAddress() {
        String message = """
                From: members-admin@lists.example.org
                To: members-admin@lists.example.org
                Subject: Loop Alert: duplicated Message-ID (members ML)
                Message-ID: <loop1@lists.example.org>

                Duplicated Message-ID in <members@lists.example.org>.

                Original mail as follows:

                   Return-Path: <news@shop.example>
                   From: news@shop.example
                   To: <members@lists.example.org>
                   Subject: Spring offers
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(FeedbackType.BOUNCE);
            assertThat(f.recipient()).isEqualTo("members@lists.example.org");
            assertThat(f.hard()).isFalse();
        });
    }

    @Test
    void eightBitJapaneseUnderAnIso2022JpLabelIsReadAsWhatItIs() {
        String head = """
                From: MAILER-DAEMON@mx.example.jp
                To: news@shop.example
                Subject: Mail System Error - Returned Mail
                Message-ID: <euc1@mx.example.jp>
                MIME-Version: 1.0
                Content-Type: text/plain; charset=iso-2022-jp
                Content-Transfer-Encoding: 7bit

                """;
        String body = "次のあて先へのメッセージは送信できませんでした。\n\n"
                + "<kenta@example.jp>\n送信先のユーザーが見つかりませんでした。\n";
        byte[] head8 = head.getBytes(StandardCharsets.US_ASCII);
        byte[] body8 = body.getBytes(java.nio.charset.Charset.forName("EUC-JP"));
        byte[] raw = Arrays.copyOf(head8, head8.length + body8.length);
        System.arraycopy(body8, 0, raw, head8.length, body8.length);
        assertThat(parser.parse(raw)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("kenta@example.jp");
            assertThat(f.diagnostic()).contains("見つかりませんでした");
            assertThat(f.hard()).isTrue();
        });
    }

    @Test
    void aSystemAddressAfterAnIntroductionIsTheFailure() {
        String message = """
                From: MAILER-DAEMON <>
                To: jan@example.org
                Subject: Mail delivery failed
                Message-ID: <dma1@example.org>

                This is the mail agent at example.org.
                There was an error delivering your mail to <postmaster@example.net>.
                DNS lookup failure: host example.net not found
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("postmaster@example.net");
            assertThat(f.hard()).isTrue();
        });
    }

    @Test
    void aReportWithoutAnAddressTakesTheRecipientFromTheReturnedMessage() {
        String message = """
                From: MAILER-DAEMON@mx.example.net
                To: bounces@shop.example
                Subject: Undelivered Mail Returned to Sender
                Message-ID: <r5@mx.example.net>
                Content-Type: multipart/report; report-type=delivery-status; boundary="B"

                --B
                Content-Type: text/plain

                Delivery failed.

                --B
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.net

                Final-Recipient: LOCAL; eve
                Action: failed
                Status: 5.1.1

                --B
                Content-Type: text/rfc822-headers

                From: Shop <news@shop.example>
                To: Eve <Eve@Example.org>
                Subject: News

                --B--
                """;
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("eve@example.org");
            assertThat(f.hard()).isTrue();
        });
    }

    @Test
    void sourceKeysAreStableAndFallBackToAHashOfTheBytes() {
        String withId = dsn("<same@mx.example.net>", """
                Final-Recipient: rfc822; anna@example.com
                Action: failed
                Status: 5.1.1
                """);
        assertThat(parse(withId)).isEqualTo(parse(withId));

        String withoutId = dsn(null, """
                Final-Recipient: rfc822; anna@example.com
                Action: failed
                Status: 5.1.1
                """);
        String key = parse(withoutId).get(0).sourceKey();
        assertThat(key).matches("sha256:[0-9a-f]{64}#anna@example.com");
        assertThat(parse(withoutId).get(0).sourceKey()).isEqualTo(key);
        assertThat(parse(withoutId + " ").get(0).sourceKey()).isNotEqualTo(key);
    }

    @Test
    void unsubscribeMailIsKeyedByItsTokenSoThatRepeatsCountOnce() {
        String first = unsubscribeMail("<u1@mail.example>", UNSUBSCRIBE_TOKEN);
        String again = unsubscribeMail("<u2@mail.example>", UNSUBSCRIBE_TOKEN);
        Feedback one = parse(first).get(0);
        Feedback two = parse(again).get(0);
        assertThat(one.type()).isEqualTo(FeedbackType.UNSUBSCRIBE);
        assertThat(one.recipient()).isEqualTo("jan@mail.example");
        assertThat(one.campaignId()).isEqualTo(CAMPAIGN);
        assertThat(one.contactId()).isEqualTo(CONTACT);
        assertThat(one.sourceKey()).isEqualTo("unsubscribe:" + UNSUBSCRIBE_TOKEN).isEqualTo(two.sourceKey());
    }

    @Test
    void aBounceTokenIsNeverTakenForAnUnsubscribeRequest() {
        Feedback entry = parse(unsubscribeMail("<u3@mail.example>", BOUNCE_TOKEN)).get(0);
        assertThat(entry.type()).isEqualTo(FeedbackType.UNSUBSCRIBE);
        assertThat(entry.campaignId()).isNull();
        assertThat(entry.contactId()).isNull();
    }

    private static String unsubscribeMail(String messageId, String token) {
        return """
                From: Jan <Jan@Mail.example>
                To: unsubscribe+%s@shop.example
                Subject: unsubscribe
                Message-ID: %s

                please remove me
                """.formatted(token, messageId);
    }

    @Test
    void withoutTheVerpAddressTheReturnedListUnsubscribeNamesCampaignAndContact() {
        String message = """
                From: postmaster@example.org
                To: bounces@shop.example
                Subject: Undeliverable: News
                Message-ID: <r6@example.org>

                Delivery has failed to these recipients or groups:

                fred@example.org
                The e-mail address you entered couldn't be found.

                Original message headers:

                From: Shop <news@shop.example>
                To: fred@example.org
                List-Unsubscribe: <https://shop.example/u/%s>
                """.formatted(UNSUBSCRIBE_TOKEN);
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.recipient()).isEqualTo("fred@example.org");
            assertThat(f.hard()).isTrue();
            assertThat(f.campaignId()).isEqualTo(CAMPAIGN);
            assertThat(f.contactId()).isEqualTo(CONTACT);
        });
    }

    @Test
    void tamperedTokensAreIgnored() {
        String message = dsn("<r7@mx.example.net>", """
                Final-Recipient: rfc822; anna@example.com
                Action: failed
                Status: 5.1.1
                """).replace(BOUNCE_TOKEN, FeedbackCorpusTest.tamper(BOUNCE_TOKEN));
        assertThat(parse(message)).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(FeedbackType.BOUNCE);
            assertThat(f.campaignId()).isNull();
            assertThat(f.contactId()).isNull();
        });
    }

    @Test
    void feedbackReportTypesOtherThanAbuse() {
        assertThat(parse(arf("not-spam")).get(0).type()).isEqualTo(FeedbackType.UNKNOWN);
        assertThat(parse(arf("opt-out")).get(0).type()).isEqualTo(FeedbackType.UNSUBSCRIBE);
        Feedback fraud = parse(arf("fraud")).get(0);
        assertThat(fraud.type()).isEqualTo(FeedbackType.COMPLAINT);
        assertThat(fraud.recipient()).isEqualTo("gina@example.net");
        assertThat(fraud.hard()).isFalse();
    }

    private static String arf(String feedbackType) {
        return """
                From: fbl@isp.example
                To: abuse@shop.example
                Subject: complaint
                Message-ID: <arf-%s@isp.example>
                Content-Type: multipart/report; report-type=feedback-report; boundary="F"

                --F
                Content-Type: text/plain

                This is an email abuse report.

                --F
                Content-Type: message/feedback-report

                Feedback-Type: %s
                User-Agent: isp-fbl/1.0
                Version: 1
                Original-Rcpt-To: <Gina@Example.net>

                --F--
                """.formatted(feedbackType, feedbackType);
    }

    @Test
    void garbageNeverThrowsAndGivesOneUnknownEntry() {
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] bytes = new byte[random.nextInt(20_000)];
            random.nextBytes(bytes);
            assertThat(parser.parse(bytes)).as("random message %d", i).singleElement().satisfies(this::isUnknown);
        }
        assertThat(parser.parse(new byte[0])).singleElement()
                .satisfies(f -> assertThat(f.type()).isEqualTo(FeedbackType.UNKNOWN));
        assertThat(parser.parse((byte[]) null)).singleElement()
                .satisfies(f -> assertThat(f.type()).isEqualTo(FeedbackType.UNKNOWN));
        assertThat(parse("Content-Type: multipart/report; boundary=\"\n\n--\n--\n")).singleElement()
                .satisfies(this::isUnknown);
        assertThat(parse("Content-Type: text/plain; charset=no-such-charset\nFrom: MAILER-DAEMON@x.example\n\n<a@b.example>:\nuser unknown"))
                .singleElement().satisfies(f -> assertThat(f.recipient()).isEqualTo("a@b.example"));
    }

    @Test
    void everyTruncationOfARealBounceParses() throws IOException {
        byte[] whole = FeedbackCorpusTest.fixture("office365-recipient-not-found.eml");
        String text = new String(whole, StandardCharsets.US_ASCII);
        // from the end of the delivery-status part's Diagnostic-Code line on, the answer is complete
        int diagnostic = text.indexOf("Diagnostic-Code: smtp;550 5.1.10");
        int complete = text.indexOf('\n', diagnostic) + 1;
        assertThat(diagnostic).isPositive();
        for (int length = 0; length < whole.length; length += 61) {
            int cut = length;
            assertThat(parser.parse(Arrays.copyOf(whole, length))).as("cut at %d", length).singleElement()
                    .satisfies(f -> {
                        assertThat(f.sourceKey()).isNotNull();
                        if (cut >= complete) {
                            assertThat(f.type()).isEqualTo(FeedbackType.BOUNCE);
                            assertThat(f.recipient()).isEqualTo("lukasz.mazur@kancelaria.example");
                            assertThat(f.status()).isEqualTo("5.1.10");
                            assertThat(f.action()).isEqualTo("failed");
                            assertThat(f.hard()).isTrue();
                            assertThat(f.campaignId()).isEqualTo(CAMPAIGN);
                            assertThat(f.contactId()).isEqualTo(CONTACT);
                        } else if (f.type() == FeedbackType.UNKNOWN) {
                            isUnknown(f);
                        } else {
                            // part of the bounce: never someone else, never another status
                            assertThat(f.type()).isEqualTo(FeedbackType.BOUNCE);
                            assertThat(f.recipient()).isIn(null, "lukasz.mazur@kancelaria.example");
                            assertThat(f.status()).isIn(null, "5.1.10");
                        }
                    });
        }
        assertThat(parser.parse(Arrays.copyOf(whole, 0))).singleElement().satisfies(this::isUnknown);
    }

    @Test
    void hugeAndHostileInputsAreBounded() {
        String head = "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\nMessage-ID: <big@x>\n";
        assertTimeoutPreemptively(QUICK, () -> {
            // far more than is ever read
            byte[] huge = (head + "\n" + "a".repeat(12 * 1024 * 1024)).getBytes(StandardCharsets.US_ASCII);
            assertThat(parser.parse(huge)).singleElement().satisfies(this::isUnknown);
            // one long line without an address, and one made of '@' signs
            assertThat(parse(head + "\n" + "x".repeat(2_000_000))).singleElement().satisfies(this::isUnknown);
            assertThat(parse(head + "\n" + "@".repeat(1_000_000))).singleElement().satisfies(this::isUnknown);
            // one endless run of address-like text: at most one short address, and nothing that
            // says the failure is permanent
            assertThat(parse(head + "\n" + "a@b.".repeat(200_000))).singleElement().satisfies(f -> {
                assertThat(f.type()).isIn(FeedbackType.BOUNCE, FeedbackType.UNKNOWN);
                assertThat(f.hard()).isFalse();
                assertThat(f.status()).isNull();
                assertThat(f.recipient()).satisfiesAnyOf(r -> assertThat(r).isNull(),
                        r -> assertThat(r).startsWith("a@b.").hasSizeLessThanOrEqualTo(254));
            });
            // an HTML bounce full of unclosed elements
            assertThat(parse(head + "Content-Type: text/html\n\n" + "<script".repeat(100_000))).singleElement()
                    .satisfies(this::isUnknown);
        });
        assertTimeoutPreemptively(QUICK, () -> {
            // multiparts nested far deeper than anything real, and very many parts
            StringBuilder nested = new StringBuilder(head + "Content-Type: multipart/mixed; boundary=\"b0\"\n\n");
            for (int i = 1; i < 5000; i++) {
                nested.append("--b").append(i - 1).append("\nContent-Type: multipart/mixed; boundary=\"b").append(i)
                        .append("\"\n\n");
            }
            assertThat(parse(nested.toString())).singleElement().satisfies(this::isUnknown);
            StringBuilder many = new StringBuilder(head + "Content-Type: multipart/mixed; boundary=\"p\"\n\n");
            for (int i = 0; i < 50_000; i++) {
                many.append("--p\nContent-Type: text/plain\n\n<u").append(i).append("@example.com>: user unknown\n");
            }
            List<Feedback> entries = parse(many + "--p--\n");
            assertThat(entries).hasSizeBetween(1, FailedRecipients.MAX_FAILURES);
            for (int i = 0; i < entries.size(); i++) {
                Feedback f = entries.get(i);
                assertThat(f.type()).isEqualTo(FeedbackType.BOUNCE);
                assertThat(f.recipient()).as("entry %d", i).isEqualTo("u" + i + "@example.com");
                assertThat(f.hard()).as("user unknown").isTrue();
            }
        });
    }

    @Test
    void aStreamIsReadOnlyUpToTheLimit() throws IOException {
        CountingEndlessStream endless = new CountingEndlessStream();
        assertThat(parser.parse(endless)).singleElement().satisfies(this::isUnknown);
        assertThat(endless.read).isEqualTo(FeedbackParser.MAX_MESSAGE_BYTES);
        assertThat(parser.parse(new ByteArrayInputStream(new byte[0]))).singleElement().satisfies(this::isUnknown);
    }

    /** An input stream that never ends, counting what was taken. */
    private static final class CountingEndlessStream extends InputStream {
        long read;

        @Override
        public int read() {
            read++;
            return 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Arrays.fill(b, off, off + len, (byte) 'x');
            read += len;
            return len;
        }
    }

    @Test
    void oneParserServesManyThreads() throws Exception {
        List<byte[]> messages = new ArrayList<>();
        for (String file : FeedbackCorpusTest.expected().keySet()) {
            messages.add(FeedbackCorpusTest.fixture(file));
        }
        List<List<Feedback>> sequential = new ArrayList<>();
        for (byte[] message : messages) {
            sequential.add(parser.parse(message));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<List<Feedback>>>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(() -> {
                    List<List<Feedback>> results = new ArrayList<>();
                    for (int round = 0; round < 5; round++) {
                        results.clear();
                        for (byte[] message : messages) {
                            results.add(parser.parse(message));
                        }
                    }
                    return results;
                }));
            }
            for (Future<List<List<Feedback>>> run : runs) {
                assertThat(run.get()).isEqualTo(sequential);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A message not understood: nobody named, nothing to suppress, still a key to record it once by. */
    private void isUnknown(Feedback f) {
        assertThat(f.type()).isEqualTo(FeedbackType.UNKNOWN);
        assertThat(f.recipient()).isNull();
        assertThat(f.status()).isNull();
        assertThat(f.action()).isNull();
        assertThat(f.hard()).isFalse();
        assertThat(f.sourceKey()).isNotBlank();
    }

    private static String sesMail(String body) {
        return "From: no-reply@sns.amazonaws.com\r\nTo: zdarzenia@sklep.example\r\nSubject: AWS Notification Message\r\n"
                + "Message-ID: <ses-json-test@sns.example>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + body + "\r\n";
    }

    @Test
    void sesComplaintNotificationIsAComplaint() {
        List<Feedback> got = parse(sesMail("{\"notificationType\":\"Complaint\",\"complaint\":{\"complainedRecipients\":"
                + "[{\"emailAddress\":\"Jelena.Petrovic@dolina.example\"}],\"complaintFeedbackType\":\"abuse\"}}"));
        assertThat(got).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(FeedbackType.COMPLAINT);
            assertThat(f.recipient()).isEqualTo("jelena.petrovic@dolina.example");
        });
    }

    @Test
    void sesNotSpamAndDeliveryNotificationsAreNotActedOn() {
        assertThat(parse(sesMail("{\"notificationType\":\"Complaint\",\"complaint\":{\"complainedRecipients\":"
                + "[{\"emailAddress\":\"a@b.example\"}],\"complaintFeedbackType\":\"not-spam\"}}")))
                .singleElement().extracting(Feedback::type).isEqualTo(FeedbackType.UNKNOWN);
        assertThat(parse(sesMail("{\"eventType\":\"Delivery\",\"delivery\":{\"recipients\":[\"a@b.example\"]}}")))
                .singleElement().extracting(Feedback::type).isEqualTo(FeedbackType.UNKNOWN);
    }

    @Test
    void brokenSesJsonNeverThrows() {
        for (String body : new String[] {"{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{",
                "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":\"x\"}}",
                "\"notificationType\" }{", "{\"Message\":\"{\\\"eventType\\\":\\\"Bounce\\\"}\"}"}) {
            assertThat(parse(sesMail(body))).as(body).singleElement().satisfies(f -> {
                isUnknown(f);
                assertThat(f.sourceKey()).isEqualTo("<ses-json-test@sns.example>");
            });
        }
    }
}
