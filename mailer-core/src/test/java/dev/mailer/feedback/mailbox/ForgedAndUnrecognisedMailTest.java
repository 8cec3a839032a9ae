package dev.mailer.feedback.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.consent.ConsentService;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.error.MailerException;
import dev.mailer.feedback.FeedbackParser;
import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import dev.mailer.store.TestDatabase;
import dev.mailer.suppression.SoftBouncePolicy;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bounce mailbox is not a shredder (issue 11, item 6), against GreenMail and PostgreSQL:
 * feedback whose token does not verify suppresses nobody we never mailed, and mail that is not
 * feedback is never marked processed: moved unread to a folder over IMAP, left on a POP3 server,
 * counted either way.
 */
class ForgedAndUnrecognisedMailTest {
    private static final String USER = "bounces@kawiarnia.example";
    private static final String PASSWORD = "pw";
    private static final TokenSigner OURS = new TokenSigner(new byte[32]);
    private static final TokenSigner ANOTHER_SECRET = new TokenSigner(filled(32, (byte) 7));

    private TestDatabase db;
    private GreenMail mail;
    private GreenMailUser mailbox;
    private MailboxPoller poller;
    private long campaignId;

    @BeforeEach
    void setUp() {
        db = TestDatabase.fresh();
        ConsentService consent = db.engine().consent();
        for (String email : List.of("anna@example.com", "bob@example.com")) {
            consent.grant(email, new ConsentStatement("newsletter", ConsentStatement.GRANTED, null, "form", null, null,
                    null, ConsentStatement.BASIS_CONSENT, false), null, "test");
        }
        db.update("insert into campaign (name, purpose, template, spec) values ('n-1', 'newsletter', 'n', '{}')");
        campaignId = db.count("select id from campaign where name = 'n-1'");
        // anna got the newsletter; bob is a contact we never mailed
        db.update("insert into delivery (campaign_id, contact_id, status, sent_at) values (?, ?, 'sent', now())",
                campaignId, contactId("anna@example.com"));
        mail = new GreenMail(new ServerSetup[] {ServerSetupTest.IMAP.dynamicPort(), ServerSetupTest.POP3.dynamicPort()});
        mail.start();
        mailbox = mail.setUser(USER, USER, PASSWORD);
        poller = new MailboxPoller(new FeedbackParser(OURS),
                db.engine().feedbackRecorder(SoftBouncePolicy.DEFAULT, "feedback poll"));
    }

    @AfterEach
    void tearDown() {
        mail.stop();
        db.close();
    }

    @Test
    void bouncesWhoseTokenDoesNotVerifySuppressNobodyWeNeverMailedAndAreCounted() throws Exception {
        // hard bounces, as a stranger (or another installation) would send them: a token-shaped VERP
        // address signed with another secret, and a tampered one of ours
        deliver(FeedbackMails.bounce(verp(ANOTHER_SECRET, "stranger@example.net", 999), "stranger@example.net",
                "5.1.1", "To: stranger@example.net\r\nSubject: x\r\n"));
        deliver(FeedbackMails.bounce(verp(ANOTHER_SECRET, "bob@example.com", contactId("bob@example.com")),
                "bob@example.com", "5.1.1", "To: bob@example.com\r\nSubject: x\r\n"));
        deliver(FeedbackMails.bounce(tampered(verp(OURS, "anna@example.com", contactId("anna@example.com"))),
                "anna@example.com", "5.1.1", "To: anna@example.com\r\nSubject: Nowości\r\n"));

        PollSummary summary = poller.poll(imap(), MailboxPoller.Disposal.FLAG);

        assertThat(summary.messages()).isEqualTo(3);
        assertThat(summary.tokenDoesNotVerify()).isEqualTo(3);
        assertThat(summary.unrecognised()).as("they are feedback, only not to be trusted by token").isZero();
        assertThat(db.rows("select email_norm, reason from suppression order by email_norm"))
                .as("only anna, whom we mailed, is suppressed")
                .containsExactly(List.of("anna@example.com", "bounced"));
        assertThat(db.rows("select c.email_norm, e.campaign_id from feedback_event e"
                + " join contact c on c.id = e.contact_id"))
                .as("no campaign comes from a token that does not verify")
                .containsExactly(Arrays.asList("anna@example.com", null));
        assertThat(db.count("select count(*) from feedback_event")).isEqualTo(1);
        assertThat(db.count("select count(*) from contact")).as("the stranger is not stored").isEqualTo(2);
    }

    @Test
    void mailThatIsNotFeedbackIsMovedUnreadToItsFolderOverImapAndCounted() throws Exception {
        deliver(FeedbackMails.plainMail("Jan Kowalski <jan@example.org>", USER, "Re: Nowosci",
                "Please stop sending me these. Proszę przestać."));
        deliver(FeedbackMails.plainMail("news@other-shop.example", USER, "Our spring newsletter", "Big sale!"));
        deliver(FeedbackMails.bounce(verp(OURS, "anna@example.com", contactId("anna@example.com")),
                "anna@example.com", "5.1.1", "To: anna@example.com\r\nSubject: Nowości\r\n"));

        PollSummary first = poller.poll(imap(), MailboxPoller.Disposal.FLAG);

        assertThat(first.messages()).isEqualTo(3);
        assertThat(first.bouncesHard()).isEqualTo(1);
        assertThat(first.unrecognised()).isEqualTo(2);
        assertThat(first.unrecognisedTo()).isEqualTo(MailboxPoller.UNRECOGNISED_FOLDER);
        assertThat(first.notes()).isEmpty();
        assertThat(subjects("INBOX")).containsExactly("Undelivered Mail Returned to Sender");
        assertThat(subjects(MailboxPoller.UNRECOGNISED_FOLDER))
                .containsExactlyInAnyOrder("Re: Nowosci", "Our spring newsletter");
        assertThat(flags(MailboxPoller.UNRECOGNISED_FOLDER)).as("unread, never marked processed")
                .allSatisfy(f -> {
                    assertThat(f.contains(Flags.Flag.SEEN)).isFalse();
                    assertThat(f.contains(MailboxPoller.PROCESSED_KEYWORD)).isFalse();
                });
        assertThat(db.count("select count(*) from feedback_event")).isEqualTo(1);
        assertThat(db.count("select count(*) from suppression")).isEqualTo(1);

        PollSummary second = poller.poll(imap(), MailboxPoller.Disposal.FLAG);
        assertThat(second.messages()).as("the bounce flagged, the rest moved: nothing new").isZero();
    }

    @Test
    void withDeleteAndAnotherFolderMailThatIsNotFeedbackIsMovedThereNeverDeleted() throws Exception {
        deliver(FeedbackMails.plainMail("jan@example.org", USER, "Please stop", "Please stop."));
        deliver(FeedbackMails.bounce(verp(OURS, "anna@example.com", contactId("anna@example.com")),
                "anna@example.com", "5.1.1", "To: anna@example.com\r\nSubject: Nowości\r\n"));

        PollSummary summary = poller.poll(imap(), new MailboxPoller.Disposal(null, true, "To read"));

        assertThat(summary.unrecognised()).isEqualTo(1);
        assertThat(summary.unrecognisedTo()).isEqualTo("To read");
        assertThat(subjects("INBOX")).as("the bounce deleted").isEmpty();
        assertThat(subjects("To read")).containsExactly("Please stop");
        assertThat(folderExists(MailboxPoller.UNRECOGNISED_FOLDER)).isFalse();
    }

    @Test
    void pop3LeavesMailThatIsNotFeedbackOnTheServerAndCountsItEachTime() throws Exception {
        deliver(FeedbackMails.plainMail("jan@example.org", USER, "Please stop", "Please stop."));
        deliver(FeedbackMails.bounce(verp(OURS, "anna@example.com", contactId("anna@example.com")),
                "anna@example.com", "5.1.1", "To: anna@example.com\r\nSubject: Nowości\r\n"));

        PollSummary first = poller.poll(pop3(), new MailboxPoller.Disposal(null, true));
        PollSummary second = poller.poll(pop3(), new MailboxPoller.Disposal(null, true));

        assertThat(first.messages()).isEqualTo(2);
        assertThat(first.bouncesHard()).isEqualTo(1);
        assertThat(first.unrecognised()).isEqualTo(1);
        assertThat(first.unrecognisedTo()).as("POP3 has no folders").isNull();
        assertThat(second.messages()).as("--delete took only the bounce").isEqualTo(1);
        assertThat(second.unrecognised()).isEqualTo(1);
        assertThat(subjects("INBOX")).containsExactly("Please stop");
        assertThat(db.rows("select email_norm, reason from suppression"))
                .containsExactly(List.of("anna@example.com", "bounced"));

        assertThatThrownBy(() -> poller.poll(pop3(), new MailboxPoller.Disposal(null, false, "To read")))
                .isInstanceOf(MailerException.class).hasMessageContaining("left on the server");
    }

    // --- helpers ------------------------------------------------------------------------------

    private String verp(TokenSigner signer, String email, long contactId) {
        return "bounces+" + signer.sign(new Token(Token.Kind.BOUNCE, campaignId, contactId, null,
                LocalDate.now().toEpochDay())) + "@kawiarnia.example";
    }

    /** Our token with one character of its signature changed. */
    private static String tampered(String verp) {
        int at = verp.indexOf('@');
        char last = verp.charAt(at - 2);
        return verp.substring(0, at - 2) + (last == 'A' ? 'B' : 'A') + verp.substring(at - 1);
    }

    private void deliver(byte[] bytes) throws Exception {
        mailbox.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes)));
    }

    private MailboxUrl imap() {
        return url("imap", mail.getImap().getPort());
    }

    private MailboxUrl pop3() {
        return url("pop3", mail.getPop3().getPort());
    }

    private MailboxUrl url(String protocol, int port) {
        return MailboxUrl.parse(protocol + "://" + USER.replace("@", "%40") + ":" + PASSWORD + "@127.0.0.1:" + port
                + "/INBOX?tls=none");
    }

    private List<String> subjects(String folderName) throws Exception {
        List<String> subjects = new ArrayList<>();
        for (Message m : messages(folderName)) {
            subjects.add(m.getSubject());
        }
        return subjects;
    }

    private List<Flags> flags(String folderName) throws Exception {
        List<Flags> flags = new ArrayList<>();
        for (Message m : messages(folderName)) {
            flags.add(m.getFlags());
        }
        return flags;
    }

    /** The folder's messages, read over IMAP with headers and flags fetched before it closes. */
    private List<Message> messages(String folderName) throws Exception {
        Properties peek = new Properties();
        peek.setProperty("mail.imap.peek", "true"); // looking must not mark them read
        try (Store store = Session.getInstance(peek).getStore("imap")) {
            store.connect("127.0.0.1", mail.getImap().getPort(), USER, PASSWORD);
            Folder folder = store.getFolder(folderName);
            folder.open(Folder.READ_ONLY);
            try {
                List<Message> copies = new ArrayList<>();
                for (Message m : folder.getMessages()) {
                    Flags flags = m.getFlags(); // before the copy reads the body
                    MimeMessage copy = new MimeMessage((MimeMessage) m);
                    copy.setFlags(flags, true);
                    copies.add(copy);
                }
                return copies;
            } finally {
                folder.close(false);
            }
        }
    }

    private boolean folderExists(String name) throws Exception {
        try (Store store = Session.getInstance(new Properties()).getStore("imap")) {
            store.connect("127.0.0.1", mail.getImap().getPort(), USER, PASSWORD);
            return store.getFolder(name).exists();
        }
    }

    private long contactId(String email) {
        return db.count("select id from contact where email_norm = ?", email);
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
