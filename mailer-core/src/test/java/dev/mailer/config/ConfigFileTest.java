package dev.mailer.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.config.ConfigFileValues.Dkim;
import dev.mailer.config.ConfigFileValues.Sender;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigFileTest {

    /** SPEC §2's example, verbatim. */
    private static final String SPEC_EXAMPLE = """
            db: jdbc:postgresql://db.internal:5432/mailer   # user/password via MAILER_DB_USER / MAILER_DB_PASSWORD
            smtp: ["smtp://relay1.internal:587?tls=starttls&connections=8"]
            mailbox: imaps://bounces%40kawiarnia.example:secret@mail.kawiarnia.example/INBOX
            unsubscribe-base-url: https://mail.kawiarnia.example      # where `mailer serve` is reachable
            bounce-address: bounces@kawiarnia.example                 # VERP: bounces+TOKEN@kawiarnia.example
            unsubscribe-address: unsubscribe@kawiarnia.example        # mailto: unsubscribe+TOKEN@…
            sender:
              organisation: Kawiarnia Nowak sp. z o.o.
              postal-address: ul. Floriańska 1, 31-019 Kraków, Polska
              dpo-email: iod@kawiarnia.example                        # data-protection officer
            dkim: {domain: kawiarnia.example, selector: mail2026, private-key: /etc/mailer/dkim.pem}   # PEM, PKCS#8
            """;

    private static final String PASSWORD = "Sup3rS3cret";

    @TempDir
    Path dir;

    private Path write(String yaml) {
        try {
            return Files.writeString(dir.resolve("mailer.yaml"), yaml);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private ConfigFileValues read(String yaml) {
        return ConfigFile.read(write(yaml));
    }

    /** The error message without the temporary directory; also checks that no password leaks anywhere. */
    private String error(String yaml) {
        try {
            ConfigFile.read(write(yaml));
        } catch (MailerException e) {
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG);
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            assertThat(trace.toString()).as("stack trace, as --verbose shows it").doesNotContain(PASSWORD);
            return e.getMessage().replace(dir + File.separator, "");
        }
        throw new AssertionError("expected a MailerException");
    }

    private static EmailAddress address(String a) {
        return EmailAddress.parse(a).orElseThrow();
    }

    @Test
    void parsesTheSpecExampleExactly() {
        Path file = write(SPEC_EXAMPLE);
        ConfigFileValues values = ConfigFile.read(file);

        assertThat(values).isEqualTo(new ConfigFileValues(
                file,
                "jdbc:postgresql://db.internal:5432/mailer",
                List.of("smtp://relay1.internal:587?tls=starttls&connections=8"),
                "imaps://bounces%40kawiarnia.example:secret@mail.kawiarnia.example/INBOX",
                URI.create("https://mail.kawiarnia.example"),
                address("bounces@kawiarnia.example"),
                address("unsubscribe@kawiarnia.example"),
                null,
                new Sender("Kawiarnia Nowak sp. z o.o.", "ul. Floriańska 1, 31-019 Kraków, Polska",
                        address("iod@kawiarnia.example")),
                new Dkim("kawiarnia.example", "mail2026", "/etc/mailer/dkim.pem"), null, null, null));
    }

    @Test
    void everythingIsOptional() {
        ConfigFileValues values = read("templates: ./templates\n");
        assertThat(values.templates()).isEqualTo("./templates");
        assertThat(values.db()).isNull();
        assertThat(values.smtp()).isEmpty();
        assertThat(values.mailbox()).isNull();
        assertThat(values.unsubscribeBaseUrl()).isNull();
        assertThat(values.bounceAddress()).isNull();
        assertThat(values.unsubscribeAddress()).isNull();
        assertThat(values.sender()).isEqualTo(Sender.NONE);
        assertThat(values.dkim()).isNull();
        assertThat(ConfigFileValues.EMPTY.smtp()).isEmpty();
    }

    @Test
    void passwordsMayBeKeptInFilesOfTheirOwn() {
        ConfigFileValues values = read("db-password-file: /etc/mailer/db.pw\nsmtp-password-file: smtp.pw\n"
                + "mailbox-password-file: /run/credentials/mailer/mailbox\n");
        assertThat(values.passwordFiles()).isEqualTo(new ConfigFileValues.PasswordFiles("/etc/mailer/db.pw", "smtp.pw",
                "/run/credentials/mailer/mailbox"));
        assertThat(read("templates: t\n").passwordFiles()).isEqualTo(ConfigFileValues.PasswordFiles.NONE);
    }

    @Test
    void maxMessageSizeIsBytesKilobytesOrMegabytes() {
        assertThat(read("max-message-size: 10MB\n").maxMessageSize()).isEqualTo(10L * 1024 * 1024);
        assertThat(read("max-message-size: 512 kb\n").maxMessageSize()).isEqualTo(512L * 1024);
        assertThat(read("max-message-size: 2000000\n").maxMessageSize()).isEqualTo(2_000_000L);
        assertThat(read("templates: t\n").maxMessageSize()).isNull();
        assertThat(error("max-message-size: 10 GB\n")).isEqualTo("mailer.yaml line 1: 'max-message-size' must be a"
                + " size from 1KB to 100MB like 10MB or 512KB, not '10 GB'.");
        assertThat(error("max-message-size: 200MB\n")).startsWith("mailer.yaml line 1: 'max-message-size' must be");
        assertThat(error("max-message-size: 12\n")).startsWith("mailer.yaml line 1: 'max-message-size' must be");
    }

    @Test
    void smtpMayBeOneStringOrAList() {
        assertThat(read("smtp: smtps://relay.example:465\n").smtp()).containsExactly("smtps://relay.example:465");
        assertThat(read("smtp:\n  - smtp://a.example\n  - SMTP://b.example\n").smtp())
                .containsExactly("smtp://a.example", "SMTP://b.example");
        assertThat(read("smtp: []\n").smtp()).isEmpty();
    }

    @Test
    void unknownKeyNamesTheKnownKeys() {
        assertThat(error("db: jdbc:postgresql://h/db\ntemplate: x\n"))
                .isEqualTo("mailer.yaml line 2: unknown key 'template'; known keys are db, smtp, mailbox,"
                        + " unsubscribe-base-url, bounce-address, unsubscribe-address, templates, sender, dkim, tls-ca,"
                        + " purposes, serve, db-password-file, smtp-password-file, mailbox-password-file,"
                        + " max-message-size, webhooks.");
    }

    @Test
    void purposesAndTheSignUpFormsLimits() {
        ConfigFileValues values = ConfigFile.read(write("""
                purposes:
                  newsletter:
                    title: {pl: "Newsletter Kawiarni Nowak", en: "Kawiarnia Nowak newsletter"}
                    text-version: newsletter-2026-01
                  offers: {}
                serve:
                  redirects: ["https://kawiarnia.example/thanks", "http://localhost:8000/thanks"]
                  signup-tags: [newsletter-form]
                  signup-limits: {per-address-per-day: 2}
                """));

        assertThat(values.purposes().all()).extracting(p -> p.code()).containsExactly("newsletter", "offers");
        assertThat(values.purposes().title("newsletter", "pl")).isEqualTo("Newsletter Kawiarni Nowak");
        assertThat(values.purposes().title("newsletter", "sr-Latn")).isEqualTo("Kawiarnia Nowak newsletter");
        assertThat(values.purposes().title("offers", "pl")).isEqualTo("offers");
        assertThat(values.purposes().find("newsletter").orElseThrow().textVersion()).isEqualTo("newsletter-2026-01");
        assertThat(values.serve().redirects()).extracting(URI::toString)
                .containsExactly("https://kawiarnia.example/thanks", "http://localhost:8000/thanks");
        assertThat(values.serve().signupTags()).containsExactly("newsletter-form");
        assertThat(values.serve().perAddressPerDay()).isEqualTo(2);
        assertThat(values.serve().perIpPerHour()).isEqualTo(30);

        assertThat(error("serve:\n  redirects: [\"http://evil.example/\"]\n"))
                .startsWith("mailer.yaml line 2: each entry of 'serve.redirects' must be an https:// URL");
        assertThat(error("purposes:\n  News Letter: {}\n")).startsWith("mailer.yaml line 2: 'purposes.News Letter'");
    }

    @Test
    void unknownNestedKeyIsNamedWithItsPath() {
        assertThat(error("sender:\n  organisation: K\n  dpo-mail: iod@kawiarnia.example\n"))
                .isEqualTo("mailer.yaml line 3: unknown key 'sender.dpo-mail'; known keys under 'sender' are"
                        + " organisation, postal-address, dpo-email.");
    }

    @Test
    void nestedAddressErrorsNameThePath() {
        assertThat(error("sender:\n  dpo-email: iod(at)kawiarnia.example\n"))
                .isEqualTo("mailer.yaml line 2: 'sender.dpo-email' must be an e-mail address like"
                        + " iod@kawiarnia.example, not 'iod(at)kawiarnia.example'.");
        assertThat(error("bounce-address: Bounces <bounces@kawiarnia.example>\n"))
                .startsWith("mailer.yaml line 1: 'bounce-address' must be an e-mail address like"
                        + " bounces@kawiarnia.example, not ");
    }

    @Test
    void senderOrganisationIsOneLineAndPostalAddressMaySpanLines() {
        ConfigFileValues values = read("sender:\n  postal-address: |\n    ul. Floriańska 1\n    31-019 Kraków\n");
        assertThat(values.sender().postalAddress()).isEqualTo("ul. Floriańska 1\n31-019 Kraków");
        assertThat(error("sender:\n  organisation: |\n    Kawiarnia\n    Nowak\n"))
                .isEqualTo("mailer.yaml line 2: 'sender.organisation' must be a single line of text,"
                        + " not 'Kawiarnia\\nNowak\\n'.");
    }

    @Test
    void dkimNeedsAllThreeKeys() {
        assertThat(error("db: jdbc:postgresql://h/db\ndkim:\n  domain: kawiarnia.example\n  private-key: k.pem\n"))
                .isEqualTo("mailer.yaml line 2: required key 'dkim.selector' is missing.");
        assertThat(error("dkim: {domain: kawiarnia, selector: s, private-key: k.pem}\n"))
                .isEqualTo("mailer.yaml line 1: 'dkim.domain' must be a domain name like kawiarnia.example,"
                        + " not 'kawiarnia'.");
        assertThat(error("dkim: {domain: kawiarnia.example, selector: 'bad selector', private-key: k.pem}\n"))
                .startsWith("mailer.yaml line 1: 'dkim.selector' must be a DKIM selector like mail2026");
        assertThat(read("dkim: {domain: Kawiarnia.EXAMPLE, selector: 2026, private-key: k.pem}\n").dkim())
                .isEqualTo(new Dkim("kawiarnia.example", "2026", "k.pem"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://mail.kawiarnia.example", "https://mail.kawiarnia.example/mailer/",
            "http://localhost:8080", "http://127.0.0.1:8080/x", "HTTPS://Mail.Kawiarnia.Example"})
    void unsubscribeBaseUrlAccepted(String url) {
        assertThat(read("unsubscribe-base-url: " + url + "\n").unsubscribeBaseUrl()).isEqualTo(URI.create(url));
    }

    @Test
    void unsubscribeBaseUrlRefused() {
        assertThat(error("unsubscribe-base-url: http://mail.kawiarnia.example\n"))
                .isEqualTo("mailer.yaml line 1: 'unsubscribe-base-url' must be an https:// URL like"
                        + " https://mail.kawiarnia.example, not 'http://mail.kawiarnia.example' (plain http:// is"
                        + " allowed only for localhost).");
        assertThat(error("unsubscribe-base-url: mail.kawiarnia.example\n"))
                .isEqualTo("mailer.yaml line 1: 'unsubscribe-base-url' must be an https:// URL like"
                        + " https://mail.kawiarnia.example, not 'mail.kawiarnia.example'.");
        assertThat(error("unsubscribe-base-url: ftp://mail.kawiarnia.example\n"))
                .startsWith("mailer.yaml line 1: 'unsubscribe-base-url' must be an https:// URL");
        assertThat(error("unsubscribe-base-url: 'https://mail.kawiarnia.example/a b'\n"))
                .startsWith("mailer.yaml line 1: 'unsubscribe-base-url' must be an https:// URL");
        assertThat(error("unsubscribe-base-url: https://mail.kawiarnia.example/?x=1\n"))
                .isEqualTo("mailer.yaml line 1: 'unsubscribe-base-url' must be a base URL without a user name,"
                        + " ?query or #fragment, like https://mail.kawiarnia.example,"
                        + " not 'https://mail.kawiarnia.example/?x=1'.");
    }

    @Test
    void duplicateKeys() {
        assertThat(error("templates: a\ntemplates: b\n"))
                .isEqualTo("mailer.yaml line 2: key 'templates' is given twice (first on line 1).");
    }

    @Test
    void emptyAndNonMappingFiles() {
        assertThat(error("")).isEqualTo("mailer.yaml is empty.");
        assertThat(error("[db, smtp]\n")).isEqualTo("mailer.yaml line 1: the file must consist of key: value lines,"
                + " not a list.");
    }

    @Test
    void syntaxErrorsOutsideSecretsKeepTheirDetails() {
        assertThat(error("db: jdbc:postgresql://h/db\ntemplates: [a\n"))
                .startsWith("mailer.yaml line 3: not valid YAML (");
        assertThat(error("db: jdbc:postgresql://h/db\nsender:\n  organisation: a: b\n"))
                .isEqualTo("mailer.yaml line 3: not valid YAML (mapping values are not allowed here).");
    }

    // ---- secrets: db, smtp and mailbox values never appear in any message ----

    @Test
    void badDbValueIsNotShown() {
        assertThat(error("db: postgres://mailer:" + PASSWORD + "@db.internal/mailer\n"))
                .isEqualTo("mailer.yaml line 1: 'db' must be a jdbc:postgresql:// URL.");
        assertThat(error("db: 'jdbc:postgresql://mailer:" + PASSWORD + "@db.internal/ mailer'\n"))
                .isEqualTo("mailer.yaml line 1: 'db' must be a jdbc:postgresql:// URL.");
    }

    @Test
    void badSmtpValueIsNotShown() {
        assertThat(error("smtp:\n  - smtp://relay.example\n  - http://u:" + PASSWORD + "@relay.example\n"))
                .isEqualTo("mailer.yaml line 3: each entry of 'smtp' must be an smtp:// or smtps:// URL.");
        assertThat(error("smtp: smtp:/u:" + PASSWORD + "@relay.example\n"))
                .isEqualTo("mailer.yaml line 1: 'smtp' must be an smtp:// or smtps:// URL.");
    }

    @Test
    void badMailboxValueIsNotShown() {
        assertThat(error("mailbox: imapx://u:" + PASSWORD + "@mail.example/INBOX\n"))
                .isEqualTo("mailer.yaml line 1: 'mailbox' must be an imap://, imaps://, pop3:// or pop3s:// URL.");
    }

    @Test
    void wrongKindOfSecretValueIsNotShown() {
        assertThat(error("db: {url: " + PASSWORD + "}\n"))
                .isEqualTo("mailer.yaml line 1: 'db' must be text, not a mapping.");
    }

    @Test
    void syntaxErrorsInsideSecretsDoNotShowDetails() {
        String redacted = ": not valid YAML in the value of '%s' (details are not shown because the value may hold"
                + " a password; try putting the value in double quotes).";
        assertThat(error("templates: t\nsmtp: smtp://u:" + PASSWORD + "@relay: 25\n"))
                .isEqualTo("mailer.yaml line 2" + redacted.formatted("smtp"));
        assertThat(error("db: @" + PASSWORD + "\n"))
                .isEqualTo("mailer.yaml line 1" + redacted.formatted("db"));
        assertThat(error("mailbox: \"imaps://u:" + PASSWORD + "\\q@host/INBOX\"\n"))
                .isEqualTo("mailer.yaml line 1" + redacted.formatted("mailbox"));
        assertThat(error("smtp:\n  - smtp://relay.example\n  - `" + PASSWORD + "\n"))
                .isEqualTo("mailer.yaml line 3" + redacted.formatted("smtp"));
    }

    @Test
    void aSecretMistakenForAKeyIsNotShown() {
        assertThat(error("smtp:\nsmtp://u:" + PASSWORD + "@relay.example: 1\n"))
                .isEqualTo("mailer.yaml line 2: unknown key (not shown because it looks like a URL that may hold a"
                        + " password); known keys are " + String.join(", ", ConfigFile.KEYS) + ".");
    }

    @Test
    void otherErrorsInAFileWithSecretsDoNotShowThem() {
        String secrets = "db: jdbc:postgresql://mailer:" + PASSWORD + "@db.internal/mailer\n"
                + "smtp: smtp://u:" + PASSWORD + "@relay.example\n"
                + "mailbox: imaps://u:" + PASSWORD + "@mail.example/INBOX\n";
        assertThat(error(secrets + "bounce-address: nope\n"))
                .isEqualTo("mailer.yaml line 4: 'bounce-address' must be an e-mail address like"
                        + " bounces@kawiarnia.example, not 'nope'.");
        assertThat(error(secrets + "db: again\n"))
                .isEqualTo("mailer.yaml line 4: key 'db' is given twice (first on line 1).");
    }

    @Test
    void toStringHidesSecrets() {
        ConfigFileValues values = read("db: jdbc:postgresql://mailer:" + PASSWORD + "@db.internal/mailer\n"
                + "smtp: smtp://u:" + PASSWORD + "@relay.example\n"
                + "mailbox: imaps://u:" + PASSWORD + "@mail.example/INBOX\n");
        assertThat(values.db()).contains(PASSWORD);
        assertThat(values.toString()).doesNotContain(PASSWORD).contains("db=(set)", "smtp=(1 set)", "mailbox=(set)");
    }
}
