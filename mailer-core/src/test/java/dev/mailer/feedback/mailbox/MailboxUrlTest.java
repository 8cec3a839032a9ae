package dev.mailer.feedback.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MailboxUrlTest {
    @Test
    void aUserWithoutPasswordTakesThePasswordGivenApart() {
        MailboxUrl url = MailboxUrl.parse("imaps://bounces%40kawiarnia.example@mail.kawiarnia.example/INBOX",
                () -> "Zq7Hw,Vx9Kp");
        assertThat(url.user()).isEqualTo("bounces@kawiarnia.example");
        assertThat(url.password()).isEqualTo("Zq7Hw,Vx9Kp");
        assertThat(url.describe()).isEqualTo("imaps://bounces@kawiarnia.example:***@mail.kawiarnia.example:993/INBOX");
        assertThat(MailboxUrl.parse("imaps://u:inline@mail.example/INBOX", () -> "apart").password())
                .isEqualTo("inline");
    }

    @Test
    void aUserNameWithAnAtSignWorksAsWrittenAsForRelays() {
        MailboxUrl url = MailboxUrl.parse("imap://bounces@shop.test:p/w@d+x@mail.shop.test/INBOX", () -> null);
        assertThat(url.user()).isEqualTo("bounces@shop.test");
        assertThat(url.password()).isEqualTo("p/w@d+x");
        assertThat(url.host()).isEqualTo("mail.shop.test");
        assertThat(url.folder()).isEqualTo("INBOX");
        assertThat(MailboxUrl.parse("imap://bounces%40shop.test:pw@mail.shop.test/INBOX").user())
                .isEqualTo("bounces@shop.test");
    }

    @Test
    void withoutAnyPasswordTheSentenceSaysWhereToGiveIt() {
        assertThatThrownBy(() -> MailboxUrl.parse("imaps://u@mail.example/INBOX", () -> null))
                .hasMessageContaining("names a user but no password; give it with MAILER_MAILBOX_PASSWORD");
        assertThatThrownBy(() -> MailboxUrl.parse("imaps://mail.example/INBOX", () -> "x"))
                .hasMessageContaining("needs a user name");
    }
}
