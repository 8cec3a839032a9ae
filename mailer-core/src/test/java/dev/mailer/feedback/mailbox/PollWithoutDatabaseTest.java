package dev.mailer.feedback.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.error.DatabaseUnreachable;
import dev.mailer.feedback.FeedbackParser;
import dev.mailer.message.TokenSigner;
import dev.mailer.store.CrashablePostgres;
import dev.mailer.store.TestDatabase;
import dev.mailer.suppression.SoftBouncePolicy;
import jakarta.mail.Flags;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code feedback poll} when its PostgreSQL server has been killed: the poll fails as "database
 * unreachable" (exit 6), and the bounce it read is left unflagged in the mailbox, so the next poll,
 * with the database back, records it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PollWithoutDatabaseTest {
    private static final String USER = "bounces@kawiarnia.example";

    @TempDir
    Path dir;

    @Test
    void aPollWithoutItsDatabaseFailsAndLeavesTheMailForTheNextPoll() throws Exception {
        GreenMail mail = new GreenMail(ServerSetupTest.IMAP.dynamicPort());
        mail.start();
        try (CrashablePostgres postgres = CrashablePostgres.start(dir.resolve("pg"));
             TestDatabase db = TestDatabase.at(postgres.jdbcUrl(), postgres.user(), postgres.password())) {
            db.engine().consent().grant("anna@example.com", new ConsentStatement("newsletter",
                    ConsentStatement.GRANTED, null, "form", null, null, null, ConsentStatement.BASIS_CONSENT, false),
                    null, "test");
            GreenMailUser mailbox = mail.setUser(USER, USER, "pw");
            mailbox.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(
                    FeedbackMails.bounce(USER, "anna@example.com", "5.1.1", "To: anna@example.com\r\nSubject: News\r\n"))));
            MailboxPoller poller = new MailboxPoller(new FeedbackParser(new TokenSigner(new byte[32])),
                    db.engine().feedbackRecorder(SoftBouncePolicy.DEFAULT, "feedback poll"));
            MailboxUrl url = MailboxUrl.parse("imap://" + USER.replace("@", "%40") + ":pw@127.0.0.1:"
                    + mail.getImap().getPort() + "/INBOX?tls=none");

            postgres.kill();

            assertThatThrownBy(() -> poller.poll(url, MailboxPoller.Disposal.FLAG))
                    .isInstanceOf(DatabaseUnreachable.class).hasMessageContaining("stopped answering");
            assertThat(mail.getReceivedMessages()).singleElement().satisfies(m -> {
                assertThat(m.isSet(Flags.Flag.SEEN)).as("left unread").isFalse();
                assertThat(m.getFlags().contains(MailboxPoller.PROCESSED_KEYWORD)).isFalse();
            });

            postgres.restart();
            PollSummary again = poller.poll(url, MailboxPoller.Disposal.FLAG);

            assertThat(again.bouncesHard()).isEqualTo(1);
            assertThat(db.rows("select email_norm, reason from suppression"))
                    .containsExactly(List.of("anna@example.com", "bounced"));
        } finally {
            mail.stop();
        }
    }
}
