package dev.mailer.reply;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecipientWordingTest {

    @ParameterizedTest(name = "{0} {1} {2} -> hard={3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # the address itself is permanently undeliverable
            550 | 5.1.1  | <anna@example.com>: Recipient address rejected: User unknown in local recipient table | true
            550 | 5.1.2  | Host unknown (Name server: example.invalid: host not found)                          | true
            550 | 5.1.10 | RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup          | true
            550 | 5.1.6  | Destination mailbox has moved, no forwarding address                                | true
            554 | 5.4.4  | Host or domain name not found                                                       | true
            0   | -      | Sorry, I couldn't find any host named example.invalid. (#5.1.2)                     | true
            0   | -      | Unrouteable address                                                                 | true
            550 | -      | Requested action not taken: mailbox unavailable                                     | true
            550 | 5.0.0  | Requested action not taken: mailbox unavailable                                     | true
            554 | -      | delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0]     | true
            550 | 5.4.1  | Recipient address rejected: Access denied. AS(201806281)                            | true
            550 | 5.2.1  | <kijitora@example.jp>... User Unknown                                               | true
            550 | 5.7.1  | <jan@example.com>: Recipient address rejected: user unknown                          | true
            0   | -      | User Jan Kowalski (jan@example.com) not listed in Domino Directory                  | true
            556 | 5.1.10 | Recipient address has null MX                                                       | true
            550 | -      | Benutzer unbekannt                                                                  | true
            550 | -      | Utilisateur inconnu                                                                 | true
            550 | -      | Skrzynka odbiorcy nie istnieje                                                      | true
            550 | -      | Korisnik ne postoji                                                                 | true
            0   | -      | The e-mail address you entered couldn't be found                                    | true
            0   | -      | an MX or SRV record indicated no SMTP service                                       | true
            0   | -      | DNS lookup failure: host mx.example.org not found                                   | true
            550 | 5.1.1  | <jan@example.com>: inactive email address                                           | true
            0   | 5.0.0  | ユーザー 山田 (yamada@example.jp) はディレクトリに見つかりません                            | true
            550 | -      | 宛先のメールアドレスが見つかりませんでした                                               | true
            550 | -      | 收件人邮箱不存在                                                                      | true
            550 | -      | 该用户不存在 (mailbox unavailable)                                                      | true
            550 | 5.1.1  | Archived recipient                                                                  | true
            0   | -      | vdeliver: Invalid or unknown virtual user 'jan'                                     | true
            550 | -      | No mail box available for this user                                                 | true
            550 | -      | jan@example.com is not an active address at this host                               | true
            550 | -      | Recipient jan@example.com was not found in LDAP                                     | true
            550 | -      | Sorry, this address no longer accepts mail                                          | true
            550 | 5.5.0  | No valid recipients, bye                                                            | true
            # anything else is soft
            550 | 5.2.1  | Recipient suspend the service                                                       | false
            550 | -      | Mailbox unavailable or access denied                                                | false
            550 | 5.1.0  | Invalid sender <news@example.org>                                                    | false
            550 | 5.1.1  | Sender verify failed                                                                | false
            553 | 5.1.8  | Domain of sender address news@example.invalid does not exist                        | false
            550 | 5.7.1  | sorry, that domain isn't in my list of allowed rcpthosts                            | false
            0   | 5.1.1  | procmail: Couldn't create "/var/mail/jan": No such user                             | false
            0   | 5.3.0  | Command died with status 75: "/usr/bin/maildrop". Command output: quota              | false
            550 | -      | Posting by non-member to a members-only list rejected                               | false
            550 | -      | Client address 192.0.2.1 not found in the allow list                                | false
            550 | 5.2.1  | Account inactive                                                                    | false
            0   | -      | The group you tried to contact may not exist, or you may not have permission to post | false
            0   | -      | Il se peut que le groupe n'existe pas ou que vous ne soyez pas autorisé à lui écrire | false
            552 | 5.2.2  | Mailbox full                                                                        | false
            550 | 5.1.1  | user over quota                                                                     | false
            550 | 5.2.1  | The email account that you tried to reach is disabled                               | false
            550 | -      | Account disabled                                                                    | false
            554 | 5.7.1  | Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org         | false
            550 | 5.7.1  | Message rejected as spam                                                            | false
            554 | 5.7.1  | <jan@example.com>: Relay access denied                                              | false
            552 | 5.3.4  | Message size exceeds fixed limit                                                    | false
            550 | 5.2.3  | RESOLVER.RST.RecipSizeLimit; message too large for this recipient                   | false
            451 | 4.7.1  | Greylisting in action, please come back later                                       | false
            450 | 4.1.1  | <jan@example.com>: Recipient address rejected: User unknown                         | false
            550 | 5.7.1  | Requested action not taken: mailbox unavailable                                     | false
            553 | 5.1.8  | <news@example.com>: Sender address rejected: Domain not found                       | false
            550 | 5.7.26 | Unauthenticated email from example.com is not accepted due to domain's DMARC policy | false
            0   | -      | retry timeout exceeded                                                              | false
            421 | -      | Too many concurrent SMTP connections                                                | false
            550 | -      | Postfach voll                                                                       | false
            550 | 5.1.1  | The user's space has been used up                                                   | false
            552 | -      | Recipient rejected: mailbox would exceed maximum allowed storage                    | false
            550 | -      | jan@example.com does not have enough space                                          | false
            550 | 5.0.0  | Service unavailable                                                                 | false
            550 | 5.1.0  | <bounces@example.com> sender rejected. AUP#SNDR                                     | false
            554 | 5.5.0  | The mail could not be delivered because the domain is not reachable                 | true
            0   | 4.0.0  | The domain example.org doesn't receive email: returned Null MX                      | true
            451 | 4.3.0  | Upstream error, please check postmaster pages                                       | false
            554 | -      | <jan@example.com>... Remote protocol error: Connection reset by peer during result wait | false
            0   | -      | lost connection with mx.example.com[192.0.2.1] while sending RCPT TO                 | false
            0   | -      | Host or domain name not found. Name service error for name=example.net type=MX: Host not found, try again | false
            554 | 5.4.6  | Too many hops                                                                       | false
            0   | -      | connect to mx.example.net[192.0.2.9]:25: No route to host                           | false
            """)
    void hardOnlyWhenTheAddressIsPermanentlyUndeliverable(int code, String status, String text, boolean hard) {
        assertThat(RecipientWording.isHard(code, status, text)).isEqualTo(hard);
    }
}
