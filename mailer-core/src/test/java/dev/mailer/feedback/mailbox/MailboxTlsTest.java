package dev.mailer.feedback.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.feedback.FeedbackParser;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.suppression.SoftBouncePolicy;
import dev.mailer.message.TokenSigner;
import dev.mailer.store.TestDatabase;
import dev.mailer.transport.TestCertificate;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * imaps:// and pop3s:// for real: GreenMail presents a throw-away certificate for 127.0.0.1; the
 * poller trusts exactly that certificate and checks the host name, and refuses a server it does
 * not trust without ever sending the password.
 */
class MailboxTlsTest {
    private static final String USER = "bounces@example.com";
    private static final String PASSWORD = "pa55word";

    @TempDir
    static Path keys;
    private static TestCertificate certificate;
    private static GreenMail mail;
    private static TestDatabase db;

    @BeforeAll
    static void start() throws Exception {
        certificate = TestCertificate.generate(keys, "localhost", "dns:localhost,ip:127.0.0.1");
        // GreenMail reads its key store once, from these properties, when it first opens a TLS port
        System.setProperty("greenmail.tls.keystore.file", certificate.keyStore().toString());
        System.setProperty("greenmail.tls.keystore.password", TestCertificate.PASSWORD);
        System.setProperty("greenmail.tls.key.password", TestCertificate.PASSWORD);
        mail = new GreenMail(new ServerSetup[] {ServerSetupTest.IMAPS.dynamicPort(), ServerSetupTest.POP3S.dynamicPort()});
        mail.start();
        mail.setUser(USER, USER, PASSWORD).deliver(new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(FeedbackMails.bounce(USER, "anna@example.com", "5.1.1",
                        "To: anna@example.com\r\nSubject: News\r\n"))));
        db = TestDatabase.fresh();
    }

    @AfterAll
    static void stop() {
        if (mail != null) {
            mail.stop();
        }
        if (db != null) {
            db.close();
        }
        System.clearProperty("greenmail.tls.keystore.file");
        System.clearProperty("greenmail.tls.keystore.password");
        System.clearProperty("greenmail.tls.key.password");
    }

    @Test
    void imapsAndPop3sReadTheMailboxOverVerifiedTls() {
        MailboxPoller poller = poller(certificate);

        PollSummary imaps = poller.poll(url("imaps", mail.getImaps().getPort()), MailboxPoller.Disposal.FLAG);
        PollSummary pop3s = poller.poll(url("pop3s", mail.getPop3s().getPort()), MailboxPoller.Disposal.FLAG);

        assertThat(imaps.messages()).isEqualTo(1);
        assertThat(imaps.bouncesHard()).isEqualTo(1);
        assertThat(pop3s.messages()).isEqualTo(1);
        assertThat(pop3s.alreadyRecorded()).as("the same bounce, read again over POP3").isEqualTo(1);
    }

    @Test
    void aServerThatIsNotTrustedIsRefusedWithoutThePassword() {
        MailboxPoller poller = new MailboxPoller(new FeedbackParser(new TokenSigner(new byte[32])),
                db.engine().feedbackRecorder(SoftBouncePolicy.DEFAULT, "test"));

        assertThatThrownBy(() -> poller.poll(url("imaps", mail.getImaps().getPort()), MailboxPoller.Disposal.FLAG))
                .isInstanceOf(MailerException.class)
                .satisfies(e -> assertThat(((MailerException) e).kind()).isEqualTo(ErrorKind.MAILBOX_UNREACHABLE))
                .hasMessageContaining("could not be read")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aCaGivenAsTlsCaIsTrustedBesidesTheJvmsOwn() throws Exception {
        MailboxPoller poller = new MailboxPoller(new FeedbackParser(new TokenSigner(new byte[32])),
                db.engine().feedbackRecorder(SoftBouncePolicy.DEFAULT, "test"),
                dev.mailer.tls.ExtraTrust.sockets(certificate.writePem(keys.resolve("mailbox-ca.pem"))));
        mail.getUserManager().getUser(USER).deliver(new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(FeedbackMails.bounce(USER, "bob@example.com", "5.1.1",
                        "To: bob@example.com\r\nSubject: News\r\n"))));

        PollSummary imaps = poller.poll(url("imaps", mail.getImaps().getPort()), MailboxPoller.Disposal.FLAG);

        assertThat(imaps.bouncesHard()).as("read over TLS trusted through the PEM file").isEqualTo(1);
    }

    private static MailboxPoller poller(TestCertificate trusted) {
        return new MailboxPoller(new FeedbackParser(new TokenSigner(new byte[32])),
                db.engine().feedbackRecorder(SoftBouncePolicy.DEFAULT, "test"), trusted.clientSockets());
    }

    private static MailboxUrl url(String scheme, int port) {
        return MailboxUrl.parse(scheme + "://" + USER.replace("@", "%40") + ":" + PASSWORD + "@127.0.0.1:" + port
                + "/INBOX?timeout=5");
    }
}
