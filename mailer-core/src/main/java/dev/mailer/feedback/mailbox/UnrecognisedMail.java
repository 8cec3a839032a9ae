package dev.mailer.feedback.mailbox;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;

/**
 * Where mail that is not feedback goes: a person asking to stop, a newsletter, an auto-reply,
 * anything the parser does not recognise. The bounce mailbox is not a shredder: such mail is
 * never marked processed. Over IMAP it is moved, unread, to a folder for a person to read
 * (created on first need); where that folder cannot be had, or over POP3, it stays where it is,
 * untouched, and is read (and counted) again by the next poll.
 */
final class UnrecognisedMail {
    private final Store store;
    private final String folderName;
    private final MailboxUrl url;
    private Folder target;
    private boolean unavailable;

    /** @param folderName the IMAP folder to move such mail to; null for POP3, which has none */
    UnrecognisedMail(Store store, String folderName, MailboxUrl url) {
        this.store = store;
        this.folderName = folderName;
        this.url = url;
        // never move mail onto itself: polling that very folder leaves its mail where it is
        this.unavailable = folderName == null || folderName.equals(url.folder());
    }

    /** @return whether the source folder must be expunged on close */
    boolean setAside(Folder source, Message message, PollSummary.Counter counter) throws MessagingException {
        Folder folder = target(counter);
        if (folder == null) {
            counter.unrecognised(null);
            return false;
        }
        source.copyMessages(new Message[] {message}, folder);
        message.setFlag(Flags.Flag.DELETED, true);
        counter.unrecognised(folderName);
        return true;
    }

    private Folder target(PollSummary.Counter counter) {
        if (target != null || unavailable) {
            return target;
        }
        try {
            Folder folder = store.getFolder(folderName);
            if (folder.exists() || folder.create(Folder.HOLDS_MESSAGES)) {
                target = folder;
                return target;
            }
        } catch (MessagingException e) {
            // a server that refuses the name or forbids creating folders: handled as below
        }
        unavailable = true;
        counter.note("The folder '" + folderName + "' does not exist in " + url.describe()
                + " and could not be created: mail that is not feedback was left unread in '" + url.folder()
                + "' (create the folder, or give --other-to FOLDER).");
        return null;
    }
}
