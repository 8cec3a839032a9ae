package dev.mailer.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretMaskTest {
    private final SecretMask mask = new SecretMask();

    @Test
    void aRegisteredSecretIsMaskedWhereverItStands() {
        mask.add("Zq7,Vx9/pw");
        assertThat(mask.scrub("java.net.UnknownHostException: u:Zq7,Vx9/pw@host"))
                .isEqualTo("java.net.UnknownHostException: u:***@host");
        assertThat(mask.scrub("auth failed for Zq7,Vx9/pw.")).isEqualTo("auth failed for ***.");
        assertThat(mask.scrub("as written in a URL: Zq7%2CVx9%2Fpw")).isEqualTo("as written in a URL: ***");
    }

    @Test
    void passwordsOfUrlsAreMaskedRegisteredOrNot() {
        assertThat(SecretMask.maskUrls("Cannot connect to jdbc:postgresql://u:hunter2@db:5432/x: refused"))
                .isEqualTo("Cannot connect to jdbc:postgresql://u:***@db:5432/x: refused");
        assertThat(SecretMask.maskUrls("relay smtp://news:pa@ss/w@relay.example:587 and anna@example.com"))
                .isEqualTo("relay smtp://news:***@relay.example:587 and anna@example.com");
        assertThat(SecretMask.maskUrls("{\"url\":\"imaps://b%40k.example:s3cr3t@mail.k.example/INBOX\",\"to\":\"a@b\"}"))
                .isEqualTo("{\"url\":\"imaps://b%40k.example:***@mail.k.example/INBOX\",\"to\":\"a@b\"}");
        assertThat(SecretMask.maskUrls("jdbc:postgresql://db/x?user=u&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/x?user=u&password=***&ssl=true");
        assertThat(SecretMask.maskUrls("smtp://relay.example:587?tls=starttls sends to bob@example.com"))
                .as("no password, nothing masked").isEqualTo("smtp://relay.example:587?tls=starttls sends to bob@example.com");
    }

    @Test
    void theUrlsOfATextAreRegisteredEachWithItsOwnPassword() {
        mask.addUrl("smtp://news:Zq7,Vx9@relay1.example:587,smtp://news:p%40ssw0rd@relay2.example");
        assertThat(mask.scrub("a driver said Zq7,Vx9 and p@ssw0rd")).isEqualTo("a driver said *** and ***");
        mask.addUrl("jdbc:postgresql://db/x?password=tiger-2026&user=u");
        assertThat(mask.scrub("login tiger-2026 refused")).isEqualTo("login *** refused");
    }

    @Test
    void shortSecretsAreMaskedOnlyInsideUrls() {
        mask.add("ab");
        assertThat(mask.scrub("about smtp://u:ab@host")).isEqualTo("about smtp://u:***@host");
    }

    @Test
    void bytesWithoutSecretsComeBackExactlyAndUtf8SecretsAreFound() {
        mask.add("hasło-Żółw");
        byte[] binary = {(byte) 0xff, 0, 'a', (byte) 0x80, '\n'};
        assertThat(mask.scrubBytes(binary, 0, binary.length)).containsExactly(binary);
        byte[] text = "login hasło-Żółw refused\n".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(mask.scrubBytes(text, 0, text.length), StandardCharsets.UTF_8))
                .isEqualTo("login *** refused\n");
    }
}
