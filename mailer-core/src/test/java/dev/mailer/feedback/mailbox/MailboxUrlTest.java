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
    void withoutAnyPasswordTheSentenceSaysWhereToGiveIt() {
        assertThatThrownBy(() -> MailboxUrl.parse("imaps://u@mail.example/INBOX", () -> null))
                .hasMessageContaining("names a user but no password; give it with MAILER_MAILBOX_PASSWORD");
        assertThatThrownBy(() -> MailboxUrl.parse("imaps://mail.example/INBOX", () -> "x"))
                .hasMessageContaining("needs a user name");
    }
}
