package dev.mailer.feedback.mailbox;

import java.util.ArrayList;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.feedback.Feedback;
import dev.mailer.feedback.FeedbackParser;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.transport.SmtpRelay;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.search.FlagTerm;
import jakarta.mail.search.NotTerm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@code mailer feedback poll}: reads the feedback mailbox (bounces to the VERP address, ARF
 * complaints, mails to the unsubscribe address), records each piece of feedback once and marks
 * what it processed. Mail that is not feedback is never marked processed: it is set aside for a
 * person ({@link UnrecognisedMail}). Recording is idempotent by source key, so a poll that dies half-way, or two
 * polls at once, or a POP3 mailbox that cannot keep flags, never counts anything twice; the flags
 * only spare the next poll the work.
 */
public final class MailboxPoller {
    /** An IMAP keyword on processed mail, where the server keeps keywords. */
    public static final String PROCESSED_KEYWORD = "mailer-processed";
    /** Larger mails are not feedback anyone sends; they are set aside, unread, like unrecognised mail. */
    public static final int MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

    private final FeedbackParser parser;
    private final FeedbackRecorder recorder;
    private final SSLSocketFactory tlsSockets;

    /** The IMAP folder for mail that is not feedback when {@code --other-to} is not given. */
    public static final String UNRECOGNISED_FOLDER = "mailer-unrecognised";

    /**
     * What to do with processed mail, and with mail that is not feedback.
     *
     * @param moveTo   the IMAP folder processed feedback goes to; null to flag it
     * @param delete   delete processed feedback
     * @param otherTo  the IMAP folder for mail that is not feedback; null for {@value #UNRECOGNISED_FOLDER}
     */
    public record Disposal(String moveTo, boolean delete, String otherTo) {
        public static final Disposal FLAG = new Disposal(null, false);

        public Disposal(String moveTo, boolean delete) {
            this(moveTo, delete, null);
        }

        String otherFolder() {
            return otherTo != null ? otherTo : UNRECOGNISED_FOLDER;
        }
    }

    public MailboxPoller(FeedbackParser parser, FeedbackRecorder recorder) {
        this(parser, recorder, null);
    }

    /**
     * @param tlsSockets makes the TLS sockets and so decides which certificates are trusted; null for
     *                   the JVM's default (its trust store). The host name is checked either way.
     */
    public MailboxPoller(FeedbackParser parser, FeedbackRecorder recorder, SSLSocketFactory tlsSockets) {
        this.parser = parser;
        this.recorder = recorder;
        this.tlsSockets = tlsSockets;
    }

    public PollSummary poll(MailboxUrl url, Disposal disposal) {
        boolean pop3 = url.protocol().equals("pop3");
        if (disposal.moveTo() != null && pop3) {
            throw MailerException.usage("POP3 has no folders to move mail to; use --delete or an imap:// mailbox.");
        }
        if (disposal.otherTo() != null && pop3) {
            throw MailerException.usage("POP3 has no folders to move mail to: mail that is not feedback is left on"
                    + " the server; drop --other-to or use an imap:// mailbox.");
        }
        PollSummary.Counter counter = new PollSummary.Counter(url.describe());
        Session session = Session.getInstance(properties(url, tlsSockets));
        try (Store store = session.getStore(url.protocol())) {
            store.connect(url.host(), url.port(), url.user(), url.password());
            Folder folder = store.getFolder(url.folder());
            if (!folder.exists()) {
                throw MailerException.usage("The mailbox " + url.describe() + " has no folder '" + url.folder() + "'"
                        + existingFolders(store) + ".");
            }
            Folder target = disposal.moveTo() == null ? null : openTarget(store, disposal.moveTo(), url);
            UnrecognisedMail other = new UnrecognisedMail(store, pop3 ? null : disposal.otherFolder(), url);
            folder.open(Folder.READ_WRITE);
            boolean expunge = false;
            try {
                for (Message message : unprocessed(folder)) {
                    expunge |= process(message, counter)
                            ? dispose(folder, message, target, disposal)
                            : other.setAside(folder, message, counter);
                }
            } finally {
                folder.close(expunge);
            }
        } catch (AuthenticationFailedException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The mailbox " + url.describe() + " refused the user name or password.");
        } catch (MessagingException e) {
            throw new MailerException(ErrorKind.MAILBOX_UNREACHABLE, "The mailbox " + url.describe() + " could not be read: "
                    + oneLine(e) + ". Nothing was lost; the next poll reads it again.", e);
        }
        return counter.summary();
    }

    /** @return whether the mail was feedback (then it is processed), else it is set aside for a person */
    private boolean process(Message message, PollSummary.Counter counter) throws MessagingException {
        counter.message();
        int size = message.getSize();
        if (size > MAX_MESSAGE_BYTES) {
            counter.tooLarge();
            return false;
        }
        byte[] raw = bytes(message, size);
        List<Feedback> found = parser.parse(raw).stream().filter(Feedback::recognised).toList();
        if (found.isEmpty()) {
            return false;
        }
        if (found.stream().anyMatch(Feedback::tokenDoesNotVerify)) {
            counter.tokenDoesNotVerify();
        }
        for (Feedback feedback : found) {
            counter.add(feedback, recorder.record(feedback));
        }
        return true;
    }

    private static Message[] unprocessed(Folder folder) throws MessagingException {
        if (folder.getPermanentFlags().contains(Flags.Flag.USER)) {
            return folder.search(new NotTerm(new FlagTerm(new Flags(PROCESSED_KEYWORD), true)));
        }
        return folder.getMessages();
    }

    /** @return whether the folder must be expunged on close */
    private static boolean dispose(Folder folder, Message message, Folder target, Disposal disposal)
            throws MessagingException {
        if (target != null) {
            folder.copyMessages(new Message[] {message}, target);
            message.setFlag(Flags.Flag.DELETED, true);
            return true;
        }
        if (disposal.delete()) {
            message.setFlag(Flags.Flag.DELETED, true);
            return true;
        }
        if (folder.getPermanentFlags().contains(Flags.Flag.USER)) {
            message.setFlags(new Flags(PROCESSED_KEYWORD), true);
        }
        if (folder.getPermanentFlags().contains(Flags.Flag.SEEN)) {
            message.setFlag(Flags.Flag.SEEN, true);
        }
        return false;
    }

    /** "; its folders are INBOX, Archive, …" (at most 20), for the sentence about a folder that is not there. */
    private static String existingFolders(Store store) {
        try {
            List<String> names = new ArrayList<>();
            for (Folder f : store.getDefaultFolder().list("*")) {
                if ((f.getType() & Folder.HOLDS_MESSAGES) != 0) {
                    names.add(f.getFullName());
                }
            }
            if (names.isEmpty()) {
                return "";
            }
            java.util.Collections.sort(names);
            String shown = String.join(", ", names.subList(0, Math.min(names.size(), 20)));
            return "; its folders are " + shown + (names.size() > 20 ? " and " + (names.size() - 20) + " more" : "");
        } catch (MessagingException e) {
            return ""; // the sentence stays true without the list
        }
    }

    private static Folder openTarget(Store store, String name, MailboxUrl url) throws MessagingException {
        Folder target = store.getFolder(name);
        if (!target.exists() && !target.create(Folder.HOLDS_MESSAGES)) {
            throw MailerException.usage("The folder '" + name + "' does not exist in " + url.describe()
                    + " and could not be created.");
        }
        return target;
    }

    private static byte[] bytes(Message message, int size) throws MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size > 0 ? size : 8192);
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new MessagingException("reading a message failed", e);
        }
        return out.toByteArray();
    }

    private static Properties properties(MailboxUrl url, SSLSocketFactory tlsSockets) {
        String prefix = "mail." + url.protocol() + ".";
        String millis = Long.toString(url.timeout().toMillis());
        Properties p = new Properties();
        p.setProperty(prefix + "connectiontimeout", millis);
        p.setProperty(prefix + "timeout", millis);
        p.setProperty(prefix + "writetimeout", millis);
        // reading a message must not mark it read: only a message whose feedback was recorded is
        // flagged, so one left behind by a failure (the database gone) still looks new to people
        p.setProperty(prefix + "peek", "true");
        switch (url.tls()) {
            case STARTTLS -> {
                p.setProperty(prefix + "starttls.enable", "true");
                p.setProperty(prefix + "starttls.required", "true");
                p.setProperty(prefix + "ssl.checkserveridentity", "true");
            }
            case TLS -> {
                p.setProperty(prefix + "ssl.enable", "true");
                p.setProperty(prefix + "ssl.checkserveridentity", "true");
            }
            case NONE -> { }
        }
        if (tlsSockets != null && url.tls() != SmtpRelay.Tls.NONE) {
            p.put(prefix + "ssl.socketFactory", tlsSockets); // used for STARTTLS as well as implicit TLS
        }
        return p;
    }

    private static String oneLine(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return text.replaceAll("\\s+", " ").strip();
    }
}
