package dev.mailer.feedback.mailbox;

import dev.mailer.reply.Fault;
import dev.mailer.reply.ReplyVerdict;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param ignored         auto-replies, delay warnings and mail that is not feedback
 * @param unmatched       feedback about no known contact
 * @param tooLarge        mails skipped because of their size
 * @param senderFaults    bounces that were the sender's fault or a rate limit: recorded, nobody suppressed
 * @param warnings        those bounces per campaign and recipient domain, with the provider's words
 */
public record PollSummary(String mailbox, int messages, int bouncesHard, int bouncesSoft, int complaints,
                          int unsubscribes, int alreadyRecorded, int ignored, int unmatched, int tooLarge,
                          int senderFaults, List<Warning> warnings) {

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
        private final Map<List<Object>, Warning> warnings = new LinkedHashMap<>();

        Counter(String mailbox) {
            this.mailbox = mailbox;
        }

        void message() {
            messages++;
        }

        void tooLarge() {
            tooLarge++;
        }

        void add(Feedback feedback, FeedbackRecorder.Result result) {
            switch (result) {
                case ALREADY_RECORDED -> alreadyRecorded++;
                case IGNORED -> ignored++;
                case UNMATCHED -> unmatched++;
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
            String recipient = feedback.recipient();
            String domain = recipient == null ? null : recipient.substring(recipient.lastIndexOf('@') + 1);
            List<Object> key = Arrays.asList(feedback.campaignId(), domain);
            Warning seen = warnings.get(key);
            warnings.put(key, new Warning(verdict.fault() == Fault.RATE_LIMIT ? "rate_limited" : "sender_fault",
                    feedback.campaignId(), domain, seen == null ? 1 : seen.count() + 1,
                    seen == null ? feedback.diagnostic() : seen.reply(), verdict.hint()));
        }

        PollSummary summary() {
            return new PollSummary(mailbox, messages, bouncesHard, bouncesSoft, complaints, unsubscribes,
                    alreadyRecorded, ignored, unmatched, tooLarge, senderFaults, List.copyOf(warnings.values()));
        }
    }
}
