package dev.mailer.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code webhooks:} in mailer.yaml: what turns each provider on, and that no secret is ever shown. */
class WebhooksConfigTest {
    private static final String SIGNING_KEY = "key-Sup3rS3cretSigningKey";
    private static final String PASSWORD = "Sup3rS3cretPassword";
    private static String sendgridKey;

    @TempDir
    Path dir;

    @BeforeAll
    static void key() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        sendgridKey = Base64.getEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded());
    }

    @Test
    void eachProviderIsOnWhenItsProofIsGiven() {
        WebhooksConfig webhooks = read("""
                webhooks:
                  mailgun: {signing-key: %s}
                  sendgrid: {public-key: %s}
                  postmark: {user: postmark, password: %s}
                  ses: {topic-arns: ["arn:aws:sns:eu-west-1:123456789012:ses-feedback"]}
                """.formatted(SIGNING_KEY, sendgridKey, PASSWORD)).webhooks();

        assertThat(webhooks).isEqualTo(new WebhooksConfig(SIGNING_KEY, sendgridKey, "postmark", PASSWORD, true,
                List.of("arn:aws:sns:eu-west-1:123456789012:ses-feedback")));
        assertThat(webhooks.toString()).doesNotContain(SIGNING_KEY, PASSWORD);
        assertThat(error("webhooks:\n  ses: {}\n")).contains("'webhooks.ses.topic-arns' is missing");
        assertThat(read("webhooks:\n  ses:\n").webhooks().ses()).as("an empty key is not set").isFalse();
        assertThat(read("bounce-address: b@kawiarnia.example\n").webhooks()).isEqualTo(WebhooksConfig.NONE);
        assertThat(WebhooksConfig.NONE.any()).isFalse();
    }

    @Test
    void mistakesNameTheKeyAndLineAndNeverTheSecret() {
        assertThat(error("webhooks:\n  mailgun: {signing-key: \"short\"}\n"))
                .isEqualTo("mailer.yaml line 2: 'webhooks.mailgun.signing-key' must be at least 8 characters without"
                        + " spaces.");
        assertThat(error("webhooks:\n  postmark:\n    user: postmark\n"))
                .startsWith("mailer.yaml line 2: ").contains("password");
        assertThat(error("webhooks:\n  postmark:\n    user: postmark\n    password: " + PASSWORD + "\n    pass: x\n"))
                .startsWith("mailer.yaml line 5: ");
        assertThat(error("webhooks:\n  sendgrid: {public-key: " + PASSWORD + "}\n"))
                .isEqualTo("mailer.yaml line 2: 'webhooks.sendgrid.public-key' must be the verification key SendGrid"
                        + " shows (base64, an ECDSA P-256 public key).");
        assertThat(error("webhooks:\n  ses: {topic-arns: [ses-feedback]}\n"))
                .startsWith("mailer.yaml line 2: ").contains("SNS topic ARN");
        assertThat(error("webhooks:\n  mailchimp: {key: " + PASSWORD + "}\n"))
                .contains("known keys under 'webhooks' are mailgun, sendgrid, postmark, ses");
        assertThat(error("webhooks:\n  mailgun: {signing-key: \"" + SIGNING_KEY + "\\q\"}\n"))
                .contains("not valid YAML in the value of 'webhooks'");
    }

    private ConfigFileValues read(String yaml) {
        return ConfigFile.read(write(yaml));
    }

    /** The message without the directory; no secret in it or in its stack trace. */
    private String error(String yaml) {
        try {
            ConfigFile.read(write(yaml));
        } catch (MailerException e) {
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG);
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            assertThat(trace.toString()).doesNotContain(PASSWORD).doesNotContain(SIGNING_KEY).doesNotContain("short");
            return e.getMessage().replace(dir + File.separator, "");
        }
        throw new AssertionError("expected a MailerException");
    }

    private Path write(String yaml) {
        try {
            return Files.writeString(dir.resolve("mailer.yaml"), yaml);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
