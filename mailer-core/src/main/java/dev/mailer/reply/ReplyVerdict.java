package dev.mailer.reply;

/**
 * What a refusal means, by {@link Replies#classify}.
 *
 * @param hard        the address itself is permanently undeliverable (only ever for {@link Fault#RECIPIENT})
 * @param provider    who says it in these words ("Gmail", "Microsoft", "Amazon SES" …), null when generic
 * @param hint        what the sender should check, for sender faults and rate limits; null otherwise
 * @param unambiguous the wording leaves no doubt that it is the sender's fault: a run stops sooner
 * @param limitedBy   for {@link Fault#RATE_LIMIT}, whose pace it is: the relay's or the recipient domain's;
 *                    null for the other faults
 */
public record ReplyVerdict(Fault fault, Reason reason, boolean hard, String provider, String hint,
                           boolean unambiguous, LimitedBy limitedBy) {
    public boolean sendersFault() {
        return fault == Fault.SENDER;
    }

    /** Whether this asks to slow down the given scope: the relay, or the recipient's domain. */
    public boolean slowsDown(LimitedBy scope) {
        return fault == Fault.RATE_LIMIT && limitedBy == scope;
    }
}
