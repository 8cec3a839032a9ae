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
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.suppression.SoftBouncePolicy;
import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import dev.mailer.store.TestDatabase;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code feedback poll} against GreenMail's real IMAP and POP3 servers: bounces, a complaint, an
 * unsubscribe mail and an auto-reply arrive; each is recorded once, however often the mailbox is
 * read, and processed mail is flagged, moved or deleted.
 */
class MailboxPollerTest {
    private static final String USER = "bounces@kawiarnia.example";
    private static final String PASSWORD = "s3cret/with:odd@chars";
    private static final TokenSigner TOKENS = new TokenSigner(new byte[32]);

    private TestDatabase db;
    private GreenMail mail;
    private GreenMailUser mailbox;
    private MailboxPoller poller;
    private long campaignId;

    @BeforeEach
    void setUp() {
        db = TestDatabase.fresh();
        ConsentService consent = db.engine().consent();
        for (String email : List.of("anna@example.com", "bob@example.com", "carl@example.com", "dora@example.com")) {
            consent.grant(email, new ConsentStatement("newsletter", ConsentStatement.GRANTED, null, "form", null, null,
                    null, ConsentStatement.BASIS_CONSENT, false), null, "test");
        }
        db.update("insert into campaign (name, purpose, template, spec) values ('n-1', 'newsletter', 'n', '{}')");
        campaignId = db.count("select id from campaign where name = 'n-1'");
        mail = new GreenMail(new ServerSetup[] {ServerSetupTest.IMAP.dynamicPort(), ServerSetupTest.POP3.dynamicPort()});
        mail.start();
        mailbox = mail.setUser(USER, USER, PASSWORD);
        poller = new MailboxPoller(new FeedbackParser(TOKENS),
                db.engine().feedbackRecorder(SoftBouncePolicy.DEFAULT, "feedback poll"));
    }

    @AfterEach
    void tearDown() {
        mail.stop();
        db.close();
    }

    @Test
    void imapPollRecordsEachPieceOfFeedbackOnceAndFlagsWhatItRead() throws Exception {
        deliverTheFiveSamples();

        PollSummary first = poller.poll(url("imap", mail.getImap().getPort()), MailboxPoller.Disposal.FLAG);

        assertThat(first.messages()).isEqualTo(5);
        assertThat(List.of(first.bouncesHard(), first.bouncesSoft(), first.complaints(), first.unsubscribes(),
                first.unrecognised(), first.ignored())).containsExactly(1, 1, 1, 1, 1, 0);
        assertThat(db.rows("select email_norm, reason from suppression order by email_norm"))
                .containsExactly(List.of("anna@example.com", "bounced"), List.of("carl@example.com", "complaint"));
        assertThat(db.rows("select c.email_norm, r.purpose from consent_record r join contact c on c.id = r.contact_id"
                + " where r.status = 'withdrawn'")).containsExactly(List.of("dora@example.com", "newsletter"));
        String fingerprint = snapshot();

        PollSummary second = poller.poll(url("imap", mail.getImap().getPort()), MailboxPoller.Disposal.FLAG);

        assertThat(second.bouncesHard() + second.bouncesSoft() + second.complaints() + second.unsubscribes())
                .as("nothing recorded twice: " + second).isZero();
        assertThat(snapshot()).isEqualTo(fingerprint);
        assertThat(seen("INBOX")).as("the feedback is flagged read").containsExactly(true, true, true, true);
        assertThat(seen(MailboxPoller.UNRECOGNISED_FOLDER)).as("the auto-reply is moved, unread").containsExactly(false);
    }

    @Test
    void theSameMailsReadAgainThroughPop3ChangeNothing() throws Exception {
        deliverTheFiveSamples();
        MailboxUrl pop3 = url("pop3", mail.getPop3().getPort());

        PollSummary first = poller.poll(pop3, MailboxPoller.Disposal.FLAG);
        String fingerprint = snapshot();
        PollSummary second = poller.poll(pop3, MailboxPoller.Disposal.FLAG);

        assertThat(first.messages()).isEqualTo(5);
        assertThat(first.bouncesHard() + first.bouncesSoft() + first.complaints() + first.unsubscribes()).isEqualTo(4);
        assertThat(second.messages()).as("POP3 keeps no flags: everything is read again").isEqualTo(5);
        assertThat(second.alreadyRecorded()).isEqualTo(4);
        assertThat(snapshot()).isEqualTo(fingerprint);

        poller.poll(pop3, new MailboxPoller.Disposal(null, true));
        PollSummary afterDelete = poller.poll(pop3, MailboxPoller.Disposal.FLAG);
        assertThat(afterDelete.messages()).as("--delete took the feedback, never the auto-reply").isEqualTo(1);
        assertThat(afterDelete.unrecognised()).isEqualTo(1);
    }

    @Test
    void processedMailCanBeMovedToAnotherFolder() throws Exception {
        deliverTheFiveSamples();

        poller.poll(url("imap", mail.getImap().getPort()), new MailboxPoller.Disposal("Processed", false));

        assertThat(folderSize("INBOX")).isZero();
        assertThat(folderSize("Processed")).isEqualTo(4);
        assertThat(folderSize(MailboxPoller.UNRECOGNISED_FOLDER)).as("the auto-reply is not feedback").isEqualTo(1);
    }

    @Test
    void aWrongPasswordIsOneSentenceWithoutThePassword() {
        MailboxUrl wrong = MailboxUrl.parse("imap://" + USER.replace("@", "%40") + ":nope@127.0.0.1:"
                + mail.getImap().getPort() + "/INBOX?tls=none");
        assertThatThrownBy(() -> poller.poll(wrong, MailboxPoller.Disposal.FLAG))
                .isInstanceOf(MailerException.class)
                .hasMessageContaining("refused the user name or password")
                .hasMessageNotContaining("nope");
    }

    @Test
    void aFolderThatIsNotThereIsNamedWithTheFoldersThatAre() {
        MailboxUrl typo = MailboxUrl.parse("imap://" + USER.replace("@", "%40") + ":"
                + PASSWORD.replace("/", "%2F").replace(":", "%3A").replace("@", "%40") + "@127.0.0.1:"
                + mail.getImap().getPort() + "/Inbx?tls=none");
        assertThatThrownBy(() -> poller.poll(typo, MailboxPoller.Disposal.FLAG))
                .isInstanceOf(MailerException.class)
                .hasMessageContaining("has no folder 'Inbx'; its folders are INBOX");
    }

    // --- the samples --------------------------------------------------------------------------

    @Test
    void bouncesThatAreTheSendersFaultSuppressNobodyAndAreListedPerCampaignAndDomain() throws Exception {
        String gmail = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires"
                + " all senders to authenticate with either SPF or DKIM.";
        for (String email : List.of("anna@example.com", "bob@example.com", "carl@example.com")) {
            for (int campaign = 0; campaign < 2; campaign++) { // twice each: past any soft-bounce threshold of 3
                deliver(FeedbackMails.bounce(verp(email), email, "5.7.26", gmail, original(email)));
            }
        }
        deliver(FeedbackMails.bounce(verp("dora@example.com"), "dora@example.com", "4.7.28",
                "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address",
                original("dora@example.com")));

        PollSummary summary = poller.poll(url("imap", mail.getImap().getPort()), MailboxPoller.Disposal.FLAG);

        assertThat(summary.messages()).isEqualTo(7);
        assertThat(db.count("select count(*) from suppression")).as("nobody suppressed").isZero();
        assertThat(db.count("select count(*) from feedback_event where fault = 'sender'")).isEqualTo(6);
        assertThat(summary.warnings()).extracting(PollSummary.Warning::code, PollSummary.Warning::campaign,
                PollSummary.Warning::domain, PollSummary.Warning::count).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("sender_fault", campaignId, "example.com", 6),
                org.assertj.core.groups.Tuple.tuple("rate_limited", campaignId, "example.com", 1));
        assertThat(summary.warnings()).filteredOn(w -> w.code().equals("sender_fault")).singleElement()
                .satisfies(w -> assertThat(w.hint()).contains("DKIM"));
    }

    private void deliverTheFiveSamples() throws Exception {
        deliver(FeedbackMails.bounce(verp("anna@example.com"), "anna@example.com", "5.1.1",
                original("anna@example.com")));
        deliver(FeedbackMails.bounce(verp("bob@example.com"), "bob@example.com", "5.2.2", original("bob@example.com")));
        deliver(FeedbackMails.complaint("carl@example.com", original("carl@example.com")));
        deliver(FeedbackMails.unsubscribe("dora@example.com",
                "unsubscribe+" + token(Token.Kind.UNSUBSCRIBE, "dora@example.com") + "@kawiarnia.example"));
        deliver(FeedbackMails.autoReply("Anna Nowak <anna.private@example.org>", "news@kawiarnia.example",
                "Nowości grudnia"));
    }

    private String verp(String email) {
        return "bounces+" + token(Token.Kind.BOUNCE, email) + "@kawiarnia.example";
    }

    /** The headers of the message we sent, as a bounce or complaint returns them. */
    private String original(String email) {
        return "From: Kawiarnia Nowak <news@kawiarnia.example>\r\nTo: " + email + "\r\nSubject: Nowości\r\n"
                + "List-Unsubscribe: <https://mail.kawiarnia.example/u/" + token(Token.Kind.UNSUBSCRIBE, email) + ">\r\n";
    }

    private String token(Token.Kind kind, String email) {
        return TOKENS.sign(new Token(kind, campaignId, contactId(email), null, LocalDate.now().toEpochDay()));
    }

    private void deliver(byte[] bytes) throws Exception {
        mailbox.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes)));
    }

    private MailboxUrl url(String protocol, int port) {
        return MailboxUrl.parse(protocol + "://" + USER.replace("@", "%40") + ":"
                + PASSWORD.replace("/", "%2F").replace(":", "%3A").replace("@", "%40") + "@127.0.0.1:" + port
                + "/INBOX?tls=none");
    }

    private int folderSize(String name) throws Exception {
        Properties props = new Properties();
        try (Store store = Session.getInstance(props).getStore("imap")) {
            store.connect("127.0.0.1", mail.getImap().getPort(), USER, PASSWORD);
            Folder folder = store.getFolder(name);
            folder.open(Folder.READ_ONLY);
            try {
                return folder.getMessageCount();
            } finally {
                folder.close(false);
            }
        }
    }

    /** Whether each mail in the folder is read, in order. */
    private List<Boolean> seen(String name) throws Exception {
        try (Store store = Session.getInstance(new Properties()).getStore("imap")) {
            store.connect("127.0.0.1", mail.getImap().getPort(), USER, PASSWORD);
            Folder folder = store.getFolder(name);
            folder.open(Folder.READ_ONLY);
            try {
                List<Boolean> seen = new java.util.ArrayList<>();
                for (jakarta.mail.Message m : folder.getMessages()) {
                    seen.add(m.isSet(jakarta.mail.Flags.Flag.SEEN));
                }
                return seen;
            } finally {
                folder.close(false);
            }
        }
    }

    /** Everything the feedback loop writes. */
    private String snapshot() {
        return db.rows("select source_key, type, hard from feedback_event order by id") + "|"
                + db.rows("select email_norm, reason from suppression order by id") + "|"
                + db.rows("select contact_id, purpose, status from consent_record order by id");
    }

    private long contactId(String email) {
        return db.count("select id from contact where email_norm = ?", email);
    }
}
