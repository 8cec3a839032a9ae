package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.cli.demo.SimulatedFeedback;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailer feedback poll} from the command line: JSON summary, exit codes, masked passwords. */
class FeedbackPollCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void pollsAnImapMailboxAndPrintsTheSummaryAsJson() throws Exception {
        CliRunner cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
        assertThat(cli.run("contacts", "import", Files.writeString(dir.resolve("c.csv"),
                "email,consent_purpose\nanna@example.com,newsletter\n").toString()).exitCode()).isZero();
        GreenMail mail = new GreenMail(ServerSetupTest.IMAP.dynamicPort());
        mail.start();
        try {
            GreenMailUser box = mail.setUser("bounces@example.com", "bounces@example.com", "pw");
            box.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(
                    SimulatedFeedback.hardBounce("bounces@example.com", "anna@example.com",
                            "To: anna@example.com\r\nSubject: News\r\n"))));
            box.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(
                    ("From: jan@example.org\r\nTo: bounces@example.com\r\nSubject: Please stop\r\n"
                            + "Message-ID: <stop-1@example.org>\r\n\r\nPlease stop writing to me.\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            String url = "imap://bounces%40example.com:pw@127.0.0.1:" + mail.getImap().getPort() + "/INBOX?tls=none";

            CliRunner.Result first = cli.run("feedback", "poll", "--mailbox", url, "--json");
            CliRunner.Result second = cli.run("feedback", "poll", "--mailbox", url, "--json");

            assertThat(first.exitCode()).as(first.err()).isZero();
            JsonNode summary = JSON.readTree(first.out());
            assertThat(summary.get("messages").asInt()).isEqualTo(2);
            assertThat(summary.get("bouncesHard").asInt()).isEqualTo(1);
            assertThat(summary.get("unrecognised").asInt()).as("the person's mail is not feedback").isEqualTo(1);
            assertThat(summary.get("unrecognisedTo").asText()).isEqualTo("mailer-unrecognised");
            assertThat(summary.get("tokenDoesNotVerify").asInt()).isZero();
            assertThat(mail.getReceivedMessages()).as("moved for a person, not flagged read")
                    .filteredOn(m -> "Please stop".equals(subject(m))).singleElement()
                    .satisfies(m -> assertThat(m.isSet(jakarta.mail.Flags.Flag.SEEN)).isFalse());
            assertThat(summary.get("mailbox").asText()).contains(":***@").doesNotContain(":pw@");
            assertThat(JSON.readTree(second.out()).get("messages").asInt()).as("flagged or moved: not read again")
                    .isZero();
            CliRunner.Result list = cli.run("suppress", "list", "--json");
            assertThat(list.out()).contains("anna@example.com").contains("bounced");
        } finally {
            mail.stop();
        }
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void helpNamesTheFolderForMailThatIsNotFeedbackWithAnExample() {
        CliRunner.Result help = new CliRunner().runRaw("feedback", "poll", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--other-to=FOLDER", "mailer-unrecognised", "mailer feedback poll --other-to");
        assertThat(help.out().replaceAll("\\s+", " ")).contains("token does not verify: not from us, or another secret");
    }

    @Test
    void mailboxProblemsAreOneSentenceWithoutThePassword() {
        CliRunner cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());

        CliRunner.Result none = cli.run("feedback", "poll");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("No feedback mailbox is configured");

        CliRunner.Result plain = cli.run("feedback", "poll", "--mailbox", "imap://u:topsecret@mail.example.com/INBOX?tls=none");
        assertThat(plain.exitCode()).isEqualTo(2);
        assertThat(plain.err()).contains("tls=none").doesNotContain("topsecret");

        CliRunner.Result refused = cli.run("feedback", "poll", "--mailbox", "imap://u:topsecret@127.0.0.1:1/INBOX?tls=none&timeout=2");
        assertThat(refused.exitCode()).as("an unreachable mailbox is a service unreachable (SPEC §8)").isEqualTo(6);
        assertThat(refused.err()).contains("could not be read").doesNotContain("topsecret").doesNotContain("Exception");
    }
}
