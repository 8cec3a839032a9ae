package dev.mailer.reply;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one classification of refusals on the words relays and providers really use (SPEC §6a):
 * whose fault, which reason, hard or not, and who says it. Written after the providers' published
 * reply texts, not copied from any mail.
 */
class RepliesTest {
    @ParameterizedTest(name = "{0} {1} → {3}/{4}")
    @CsvSource(delimiter = '|', textBlock = """
            550 | 5.7.26 | 550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. | sender | auth_failed | Gmail
            550 | 5.7.27 | 550 5.7.27 The sender's domain does not pass SPF for this IP address | sender | auth_failed | Gmail
            550 | 5.7.25 | 550 5.7.25 The IP address sending this message does not have a PTR record setup | sender | auth_failed | Gmail
            421 | 4.7.28 | 421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address | rate_limit | rate_limited | Gmail
            550 | 5.7.515 | 550 5.7.515 Access denied, sending domain example.com does not meet the required authentication level. | sender | auth_failed | Microsoft
            550 | 5.7.1 | 550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider. (S3150) | sender | blocked | Microsoft
            451 | 4.7.650 | 451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. | rate_limit | rate_limited | Microsoft
            421 | 4.7.0 | 421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints | rate_limit | rate_limited | Yahoo
            553 | 5.7.2 | 553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. | sender | blocked | Yahoo
            554 | 5.7.1 | 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org | sender | blocked | Spamhaus and others
            554 | 5.7.1 | 554 5.7.1 [CS01] Message rejected due to local policy. | sender | blocked | Apple iCloud
            554 |  | 554 Message rejected: Email address is not verified. The following identities failed the check in region EU-WEST-1: news@example.com | sender | auth_failed | Amazon SES
            454 |  | 454 Throttling failure: Maximum sending rate exceeded. | rate_limit | rate_limited | Amazon SES
            550 | 5.4.5 | 550 5.4.5 Daily user sending quota exceeded. | sender | policy |
            550 | 5.7.1 | 550 5.7.1 Message rejected as spam by Content Filtering. | sender | content |
            421 | 4.7.0 | 421 4.7.0 Too many connections from your host, try again later | rate_limit | rate_limited |
            550 | 5.1.1 | 550 5.1.1 <anna@example.com>: Recipient address rejected: User unknown in virtual mailbox table | recipient | user_unknown |
            550 | 5.1.2 | 550 5.1.2 Host or domain name not found | recipient | host_unknown |
            552 | 5.2.2 | 552 5.2.2 Mailbox full | recipient | mailbox_full |
            550 | 5.2.1 | 550 5.2.1 The email account that you tried to reach is disabled. | recipient | mailbox_disabled |
            450 | 4.4.7 | 450 4.4.7 Message delivery time expired | recipient | expired |
            """)
    void classifiesByCodeStatusAndWording(int code, String status, String text, String fault, String reason,
                                          String provider) {
        ReplyVerdict verdict = Replies.classify(code, status, text);

        assertThat(verdict.fault().json()).isEqualTo(fault);
        assertThat(verdict.reason().json()).isEqualTo(reason);
        assertThat(verdict.provider()).isEqualTo(provider);
        assertThat(verdict.hard()).as("only the recipient's faults can be hard")
                .isEqualTo(reason.equals("user_unknown") || reason.equals("host_unknown"));
        if (!fault.equals("recipient")) {
            assertThat(verdict.hint()).as("what to check").isNotBlank();
        }
        assertThat(verdict.limitedBy() != null).as("a scope only for rate limits").isEqualTo(fault.equals("rate_limit"));
    }

    @ParameterizedTest(name = "{0} slows down {1}")
    @CsvSource(delimiter = '|', textBlock = """
            421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address | PROVIDER
            421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume | PROVIDER
            451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. | PROVIDER
            454 Throttling failure: Maximum sending rate exceeded. | RELAY
            421 4.7.0 Too many connections from your host, try again later | RELAY
            """)
    void aProvidersLimitSlowsItsDomainARelaysLimitSlowsTheRelay(String reply, LimitedBy scope) {
        int code = Integer.parseInt(reply.substring(0, 3));
        String status = reply.matches("^\\d{3}[ -]\\d\\.\\d+\\.\\d+ .*") ? reply.substring(4, reply.indexOf(' ', 4)) : null;

        assertThat(Replies.classify(code, status, reply).limitedBy()).isEqualTo(scope);
    }
}
