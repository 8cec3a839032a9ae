package dev.mailer.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.transport.SmtpRelay.Tls;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpRelayTest {

    @Test
    void defaultsAreStarttlsOn587WithFourConnections() {
        SmtpRelay relay = SmtpRelay.parse("smtp://relay1.internal");

        assertThat(relay.tls()).isEqualTo(Tls.STARTTLS);
        assertThat(relay.host()).isEqualTo("relay1.internal");
        assertThat(relay.port()).isEqualTo(587);
        assertThat(relay.connections()).isEqualTo(4);
        assertThat(relay.messagesPerConnection()).isEqualTo(1000);
        assertThat(relay.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(relay.user()).isNull();
        assertThat(relay.password()).isNull();
        assertThat(relay.authenticates()).isFalse();
    }

    @Test
    void aListIsSplitOnlyBeforeANewRelaySoACommaInAPasswordStaysInIt() {
        assertThat(SmtpRelay.splitList("smtp://news:Zq7,Vx9@relay1.example:587?connections=8 , SMTPS://news:a,b,c@relay2.example"))
                .containsExactly("smtp://news:Zq7,Vx9@relay1.example:587?connections=8", "SMTPS://news:a,b,c@relay2.example");
        assertThat(SmtpRelay.splitList("smtp://relay.example")).containsExactly("smtp://relay.example");
        assertThat(SmtpRelay.splitList("  ")).isEmpty();
        SmtpRelay encoded = SmtpRelay.parse(SmtpRelay.splitList("smtp://news:Zq7%2CVx9@relay1.example").get(0));
        assertThat(encoded.password()).isEqualTo("Zq7,Vx9");
        assertThat(SmtpRelay.parse("smtp://news:Zq7,Vx9@relay1.example").password()).isEqualTo("Zq7,Vx9");
    }

    @Test
    void aUserWithoutPasswordTakesThePasswordGivenApartAndOnlyThen() {
        SmtpRelay relay = SmtpRelay.parse("smtp://news@relay.example:587", () -> "from-a-file");
        assertThat(relay.user()).isEqualTo("news");
        assertThat(relay.password()).isEqualTo("from-a-file");
        assertThat(relay.describe()).isEqualTo("smtp://news:***@relay.example:587");
        assertThat(SmtpRelay.parse("smtp://news:inline@relay.example", () -> "from-a-file").password())
                .as("a password in the URL is used as written").isEqualTo("inline");
        assertThat(SmtpRelay.parse("smtp://relay.example", () -> {
            throw new AssertionError("not asked for without a user");
        }).authenticates()).isFalse();
        assertThatThrownBy(() -> SmtpRelay.parse("smtp://news@relay.example", () -> null))
                .hasMessageContaining("names a user but no password; give it with MAILER_SMTP_PASSWORD");
    }

    @ParameterizedTest
    @CsvSource({
            "smtp://relay.example,                     STARTTLS, 587",
            "smtp://relay.example?tls=starttls,        STARTTLS, 587",
            "smtp://relay.example?tls=tls,             TLS,      465",
            "smtp://relay.example?tls=TLS,             TLS,      465",
            "smtps://relay.example,                    TLS,      465",
            "SMTPS://relay.example?tls=tls,            TLS,      465",
            "smtps://relay.example:2465,               TLS,      2465",
            "smtp://localhost?tls=none,                NONE,     25",
            "smtp://127.0.0.1:2525?tls=none,           NONE,     2525",
            "smtp://127.10.20.30?tls=none,             NONE,     25",
            "smtp://[::1]:2525?tls=none,               NONE,     2525",
            "smtp://relay.example:2587/,               STARTTLS, 2587",
    })
    void tlsModeDecidesTheDefaultPort(String url, Tls tls, int port) {
        SmtpRelay relay = SmtpRelay.parse(url);
        assertThat(relay.tls()).isEqualTo(tls);
        assertThat(relay.port()).isEqualTo(port);
    }

    @Test
    void readsEveryOption() {
        SmtpRelay relay = SmtpRelay.parse(
                "smtp://relay1.internal:2587?tls=starttls&connections=8&messages-per-connection=50&timeout=2");

        assertThat(relay.port()).isEqualTo(2587);
        assertThat(relay.connections()).isEqualTo(8);
        assertThat(relay.messagesPerConnection()).isEqualTo(50);
        assertThat(relay.timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void ipv6HostIsKeptWithoutBrackets() {
        SmtpRelay relay = SmtpRelay.parse("smtp://[::1]:2525?tls=none");
        assertThat(relay.host()).isEqualTo("::1");
        assertThat(relay.describe()).isEqualTo("smtp://[::1]:2525");
    }

    @Test
    void percentDecodesUserAndPassword() {
        SmtpRelay relay = SmtpRelay.parse("smtp://bounces%40kawiarnia.example:p%40ss%3Aw%2Fo%25rd@relay.example");

        assertThat(relay.user()).isEqualTo("bounces@kawiarnia.example");
        assertThat(relay.password()).isEqualTo("p@ss:w/o%rd");
        assertThat(relay.authenticates()).isTrue();
    }

    @Test
    void plusInAPasswordStaysAPlus() {
        assertThat(SmtpRelay.parse("smtp://u:a+b@relay.example").password()).isEqualTo("a+b");
    }

    @Test
    void unencodedSlashOrAtInAPasswordStillParses() {
        SmtpRelay relay = SmtpRelay.parse("smtp://user:pa/ss@word@relay.example:587?connections=2");
        assertThat(relay.user()).isEqualTo("user");
        assertThat(relay.password()).isEqualTo("pa/ss@word");
        assertThat(relay.host()).isEqualTo("relay.example");
        assertThat(relay.connections()).isEqualTo(2);
    }

    @Test
    void describeAndToStringMaskThePassword() {
        SmtpRelay relay = SmtpRelay.parse("smtp://bounces%40kawiarnia.example:hunter2@relay.example?connections=8");

        assertThat(relay.describe()).isEqualTo("smtp://bounces%40kawiarnia.example:***@relay.example:587");
        assertThat(relay).hasToString("smtp://bounces%40kawiarnia.example:***@relay.example:587");
        assertThat(SmtpRelay.parse("smtps://u:hunter2@relay.example").describe()).isEqualTo("smtps://u:***@relay.example:465");
        assertThat(SmtpRelay.parse("smtp://relay.example").describe()).isEqualTo("smtp://relay.example:587");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "smtp://relay.example?tls=none",
            "smtp://10.0.0.7?tls=none",
            "smtp://128.0.0.1?tls=none",
            "smtp://localhost.evil.example?tls=none",
            "smtp://127.0.0.1.evil.example?tls=none",
            "smtp://[::2]?tls=none",
            "smtp://0.0.0.0?tls=none",
    })
    void refusesUnencryptedSmtpToAnotherMachine(String url) {
        assertUsage(url, "tls=none for a host that is not this machine");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://relay.example                              | must start with smtp:// or smtps://",
            "relay.example:587                                 | must start with smtp:// or smtps://",
            "smtp://                                           | has no host name",
            "smtp://:587                                       | has no host name",
            "smtp://relay_1.example                            | has a host name that is not one",
            "smtp://relay.example:0                            | has port '0', which must be a whole number from 1 to 65535",
            "smtp://relay.example:70000                        | has port '70000'",
            "smtp://relay.example:smtp                         | has port 'smtp'",
            "smtp://relay.example?connections=0                | has connections '0', which must be a whole number from 1 to 64",
            "smtp://relay.example?connections=65               | has connections '65'",
            "smtp://relay.example?connections=lots             | has connections 'lots'",
            "smtp://relay.example?messages-per-connection=0    | has messages-per-connection '0'",
            "smtp://relay.example?timeout=0                    | has timeout '0', which must be a whole number from 1 to 3600",
            "smtp://relay.example?tls=ssl                      | has tls=ssl, which must be starttls, tls or none",
            "smtps://relay.example?tls=starttls                | says smtps:// (TLS from the start) but tls=starttls",
            "smtps://localhost?tls=none                        | says smtps:// (TLS from the start) but tls=none",
            "smtp://relay.example?connections=2&connections=3  | has the option 'connections' twice",
            "smtp://relay.example?timeout                      | has the option 'timeout' without a value",
            "smtp://relay.example/mail                         | has a path",
            "smtp://relay.example#x                            | has a '#' part",
            "smtp://[::1?tls=none                              | without its closing ']'",
    })
    void refusesBadUrlsNamingTheProblem(String url, String problem) {
        assertUsage(url, problem);
    }

    @Test
    void unknownOptionIsNamed() {
        assertThatThrownBy(() -> SmtpRelay.parse("smtp://relay.example?tls=starttls&pool=8"))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG))
                .hasMessage("The SMTP relay URL 'smtp://relay.example?tls=starttls&pool=8' has the unknown option "
                        + "'pool'; known options are tls, connections, messages-per-connection, timeout.");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "smtp://user:hunter2@relay.example?tls=none",
            "smtp://user:hunter2@relay.example:99999",
            "smtp://user:hunter2@relay.example?bogus=1",
            "smtp://user:hunter2@",
            "smtp://user:hunt%zzer2@relay.example",
            "smtp://user:@relay.example",
            "smtp://hunter2@relay.example",
            "ftp://user:hunter2@relay.example",
            "smtp://user:hunter2/x@relay.example/path",
    })
    void errorsNeverShowThePassword(String url) {
        assertThatThrownBy(() -> SmtpRelay.parse(url))
                .isInstanceOf(MailerException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("hunt"));
    }

    @Test
    void emptyUrlIsAUsageError() {
        assertThatThrownBy(() -> SmtpRelay.parse("  "))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG));
    }

    @Test
    void masksUrlsThatDoNotParse() {
        assertThat(SmtpRelay.mask("smtp://u:secret@host?x")).isEqualTo("smtp://u:***@host?x");
        assertThat(SmtpRelay.mask("smtp://secret@host")).isEqualTo("smtp://***@host");
        assertThat(SmtpRelay.mask("smtp://host:25")).isEqualTo("smtp://host:25");
    }

    private static void assertUsage(String url, String problem) {
        assertThatThrownBy(() -> SmtpRelay.parse(url))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG))
                .hasMessageStartingWith("The SMTP relay URL '" + url.strip() + "' ")
                .hasMessageContaining(problem);
    }
}
