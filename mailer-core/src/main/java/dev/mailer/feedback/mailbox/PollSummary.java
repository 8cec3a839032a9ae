package dev.mailer.feedback.mailbox;

import dev.mailer.reply.Fault;
import dev.mailer.reply.ReplyVerdict;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mailer.feedback.Feedback;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.feedback.FeedbackType;

/**
 * What one {@code feedback poll} did: the JSON keys are the field names.
 *
 * @param messages        mails read from the mailbox
 * @param bouncesHard     hard bounces recorded now (each suppresses the address)
 * @param bouncesSoft     soft bounces recorded now (they suppress after the threshold)
 * @param complaints      spam complaints recorded now
 * @param unsubscribes    unsubscribe mails recorded now
 * @param alreadyRecorded feedback recorded by an earlier poll: nothing changed
 * @param ignored         feedback that changes nothing: delay warnings, erased people
 * @param unmatched       feedback about no known contact
 * @param tooLarge        mails skipped because of their size (left for a person, like unrecognised mail)
 * @param senderFaults    bounces that were the sender's fault or a rate limit: recorded, nobody suppressed
 * @param unrecognised    mails that are not feedback (auto-replies, people writing, newsletters): never
 *                        marked processed, but moved to {@code unrecognisedTo} (IMAP) or left (POP3)
 * @param unrecognisedTo  the IMAP folder they were moved to; null when they were left where they were
 * @param tokenDoesNotVerify feedback mails whose token does not verify (not from us, or another secret):
 *                        they suppress nobody we never mailed
 * @param warnings        those bounces per campaign and recipient domain, with the provider's words
 * @param notes           what the poll could not do as asked, each said once (e.g. a folder it could not create)
 */
public record PollSummary(String mailbox, int messages, int bouncesHard, int bouncesSoft, int complaints,
                          int unsubscribes, int alreadyRecorded, int ignored, int unmatched, int tooLarge,
                          int senderFaults, int unrecognised, String unrecognisedTo, int tokenDoesNotVerify,
                          List<Warning> warnings, List<String> notes) {

    /** Sender-fault bounces of one campaign (null: none named) at one recipient domain. */
    public record Warning(String code, Long campaign, String domain, int count, String reply, String hint) {
    }

    static final class Counter {
        private final String mailbox;
        private int messages;
        private int bouncesHard;
        private int bouncesSoft;
        private int complaints;
        private int unsubscribes;
        private int alreadyRecorded;
        private int ignored;
        private int unmatched;
        private int tooLarge;
        private int senderFaults;
        private int unrecognised;
        private String unrecognisedTo;
        private int tokenDoesNotVerify;
        private final Map<List<Object>, Warning> warnings = new LinkedHashMap<>();
        private final Set<String> notes = new LinkedHashSet<>();

        Counter(String mailbox) {
            this.mailbox = mailbox;
        }

        void message() {
            messages++;
        }

        void tooLarge() {
            tooLarge++;
        }

        /** A mail that is not feedback, moved to that folder (null: left where it was). */
        void unrecognised(String movedTo) {
            unrecognised++;
            if (movedTo != null) {
                unrecognisedTo = movedTo;
            }
        }

        /** A feedback mail whose token does not verify: counted once per mail, whatever it reports. */
        void tokenDoesNotVerify() {
            tokenDoesNotVerify++;
        }

        /** Said once however often it happens. */
        void note(String sentence) {
            notes.add(sentence);
        }

        void add(Feedback feedback, FeedbackRecorder.Result result) {
            switch (result) {
                case ALREADY_RECORDED -> alreadyRecorded++;
                case IGNORED -> ignored++;
                case UNMATCHED -> unmatched++;
                case NOT_FROM_US -> { } // counted per mail by tokenDoesNotVerify()
                case SENDER_FAULT -> senderFault(feedback);
                case RECORDED -> {
                    if (feedback.type() == FeedbackType.BOUNCE && feedback.hard()) {
                        bouncesHard++;
                    } else if (feedback.type() == FeedbackType.BOUNCE) {
                        bouncesSoft++;
                    } else if (feedback.type() == FeedbackType.COMPLAINT) {
                        complaints++;
                    } else if (feedback.type() == FeedbackType.UNSUBSCRIBE) {
                        unsubscribes++;
                    }
                }
            }
        }

        private void senderFault(Feedback feedback) {
            senderFaults++;
            ReplyVerdict verdict = feedback.verdict();
            String recipient = feedback.addressWeMailed();
            String domain = recipient == null ? null : recipient.substring(recipient.lastIndexOf('@') + 1);
            String code = verdict.fault() == Fault.RATE_LIMIT ? "rate_limited" : "sender_fault";
            List<Object> key = Arrays.asList(code, feedback.campaignId(), domain);
            Warning seen = warnings.get(key);
            warnings.put(key, seen == null ? new Warning(code, feedback.campaignId(), domain, 1, feedback.diagnostic(),
                    verdict.hint()) : new Warning(code, seen.campaign(), domain, seen.count() + 1, seen.reply(), seen.hint()));
        }

        PollSummary summary() {
            return new PollSummary(mailbox, messages, bouncesHard, bouncesSoft, complaints, unsubscribes,
                    alreadyRecorded, ignored, unmatched, tooLarge, senderFaults, unrecognised, unrecognisedTo,
                    tokenDoesNotVerify, List.copyOf(warnings.values()), List.copyOf(notes));
        }
    }
}
