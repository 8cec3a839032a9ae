package dev.mailer.feedback.mailbox;

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
 */
public record PollSummary(String mailbox, int messages, int bouncesHard, int bouncesSoft, int complaints,
                          int unsubscribes, int alreadyRecorded, int ignored, int unmatched, int tooLarge) {

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

        PollSummary summary() {
            return new PollSummary(mailbox, messages, bouncesHard, bouncesSoft, complaints, unsubscribes,
                    alreadyRecorded, ignored, unmatched, tooLarge);
        }
    }
}
