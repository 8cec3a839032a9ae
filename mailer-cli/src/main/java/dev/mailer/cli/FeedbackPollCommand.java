package dev.mailer.cli;

import dev.mailer.error.MailerException;
import dev.mailer.feedback.Feedback;
import dev.mailer.feedback.FeedbackParser;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.suppression.SoftBouncePolicy;
import dev.mailer.feedback.mailbox.MailboxPoller;
import dev.mailer.feedback.mailbox.MailboxUrl;
import dev.mailer.feedback.mailbox.PollSummary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "poll", mixinStandardHelpOptions = true,
        description = {
                "Read the feedback mailbox and write bounces, complaints and unsubscribe mails back into the database.",
                "Each is recorded once: polling the same mail again changes nothing. Hard bounce -> suppressed_bounced;"
                        + " soft bounces -> suppressed after --soft-bounces within --soft-bounce-days; complaint ->"
                        + " suppressed_complaint; unsubscribe mail -> consent withdrawn for the campaign's purpose.",
                "Processed mail is flagged (IMAP keyword mailer-processed and \\Seen), or moved, or deleted.",
                "Mail that is not feedback (a person writing, a newsletter, an auto-reply) is never marked processed:"
                        + " over IMAP it is moved, unread, to --other-to (default mailer-unrecognised); over POP3 it is"
                        + " left on the server. Either way it is counted as 'unrecognised'.",
                "Feedback whose token does not verify (" + Feedback.TOKEN_DOES_NOT_VERIFY + ") is counted as"
                        + " 'tokenDoesNotVerify' and suppresses nobody we never mailed.",
                "Exit 6 when the mailbox cannot be reached (nothing is lost; the next poll reads it again)."},
        footer = {"", "Examples:",
                "  MAILER_MAILBOX_PASSWORD_FILE=/etc/mailer/mailbox.pw \\",
                "    mailer feedback poll --mailbox 'imaps://bounces%%40kawiarnia.example@mail.kawiarnia.example/INBOX'",
                "  mailer feedback poll --other-to 'To read'    # mail that is not feedback, for a person",
                "  */5 * * * *  cd /srv/mailer && ./mailer feedback poll --json >> /var/log/mailer/feedback.log 2>&1"})
public final class FeedbackPollCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--mailbox", paramLabel = "URL",
            description = "imap://, imaps://, pop3:// or pop3s:// user[:password]@host[:port]/FOLDER "
                    + "(default: MAILER_MAILBOX_URL, else 'mailbox:' in mailer.yaml). "
                    + "Plain imap/pop3 require STARTTLS; ?tls=none only on loopback. Keep the password off the"
                    + " command line: user@host with MAILER_MAILBOX_PASSWORD or --mailbox-password-file.")
    String mailbox;

    @Option(names = "--mailbox-password-file", paramLabel = "FILE",
            description = "File holding the mailbox password when the URL names a user without one (default:"
                    + " MAILER_MAILBOX_PASSWORD, MAILER_MAILBOX_PASSWORD_FILE, else 'mailbox-password-file' in"
                    + " mailer.yaml).")
    Path mailboxPasswordFile;

    @Option(names = "--move-to", paramLabel = "FOLDER",
            description = "Move processed mail to this IMAP folder (created when missing) instead of flagging it.")
    String moveTo;

    @Option(names = "--delete", description = "Delete processed mail (for POP3 mailboxes, which keep no flags)."
            + " Mail that is not feedback is never deleted.")
    boolean delete;

    @Option(names = "--other-to", paramLabel = "FOLDER",
            description = "IMAP folder for mail that is not feedback, moved there unread for a person to read"
                    + " (default: " + MailboxPoller.UNRECOGNISED_FOLDER + ", created when missing). POP3 leaves such mail"
                    + " on the server.")
    String otherTo;

    @Mixin
    SoftBounceOptions softBounces;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    FeedbackPollCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (moveTo != null && delete) {
            throw MailerException.usage("--move-to and --delete exclude each other: processed mail is either moved or deleted.");
        }
        MailboxUrl url = context.mailbox(mailbox, mailboxPasswordFile);
        SoftBouncePolicy policy = softBounces.policy();
        MailboxPoller poller = new MailboxPoller(new FeedbackParser(context.tokens()),
                context.engine().feedbackRecorder(policy, "feedback poll"), context.tlsSockets());
        PollSummary summary = poller.poll(url, new MailboxPoller.Disposal(moveTo, delete, otherTo));
        summary.notes().forEach(context.err()::println);
        if (json) {
            context.printJson(summary);
        } else {
            print(context.out(), summary, "");
        }
        return 0;
    }

    /** The summary for people; the demo prints it too. */
    public static void print(PrintStream out, PollSummary s, String indent) {
        out.printf("%sRead %d mail%s from %s.%n", indent, s.messages(), plural(s.messages()), s.mailbox());
        out.printf("%s  recorded: %d hard bounce%s, %d soft bounce%s, %d complaint%s, %d unsubscribe%s%n", indent,
                s.bouncesHard(), plural(s.bouncesHard()), s.bouncesSoft(), plural(s.bouncesSoft()),
                s.complaints(), plural(s.complaints()), s.unsubscribes(), plural(s.unsubscribes()));
        out.printf("%s  already recorded: %d, changed nothing (delay warnings, erased people): %d,"
                + " no known contact: %d%s%n", indent, s.alreadyRecorded(), s.ignored(), s.unmatched(),
                s.tooLarge() == 0 ? "" : ", skipped as too large: " + s.tooLarge());
        out.printf("%s  not feedback (auto-replies, people writing): %d%s%n", indent, s.unrecognised(),
                s.unrecognised() == 0 ? ""
                        : s.unrecognisedTo() != null ? ", moved unread to '" + s.unrecognisedTo() + "' for a person"
                        : ", left in the mailbox for a person");
        if (s.tokenDoesNotVerify() > 0) {
            out.printf("%s  %s: %d (nobody we never mailed is suppressed)%n", indent, Feedback.TOKEN_DOES_NOT_VERIFY,
                    s.tokenDoesNotVerify());
        }
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }
}
