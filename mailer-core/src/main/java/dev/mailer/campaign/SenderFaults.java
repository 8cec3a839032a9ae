package dev.mailer.campaign;

import dev.mailer.reply.ReplyVerdict;
import dev.mailer.transport.SendResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sender faults of one run (SPEC §6a), per recipient domain: after a few from one domain the
 * run holds the rest of that domain without trying it; after a few from more than one domain the
 * relay itself, or everyone, refuses the sender, and the run stops. "A few" is
 * {@value #UNAMBIGUOUS} when the wording leaves no doubt (Gmail's 5.7.26, SES's "not verified"),
 * {@value #AMBIGUOUS} otherwise (a spam filter's verdict on one message). Thread-safe.
 */
final class SenderFaults {
    static final int UNAMBIGUOUS = 3;
    static final int AMBIGUOUS = 20;

    /** What the run does about a sender fault it just saw. */
    enum Decision { GO_ON, HOLD_DOMAIN, STOP }

    /** What one domain said: the first refusal's words stand for all of them. */
    record Observed(String domain, long count, SendResult first, ReplyVerdict verdict) {
    }

    private final Map<String, Observed> byDomain = new LinkedHashMap<>();
    private long total;
    private boolean unambiguousSeen;

    synchronized Decision record(String domain, SendResult result, ReplyVerdict verdict) {
        Observed seen = byDomain.get(domain);
        byDomain.put(domain, seen == null ? new Observed(domain, 1, result, verdict)
                : new Observed(domain, seen.count() + 1, seen.first(), seen.verdict()));
        total++;
        unambiguousSeen |= verdict.unambiguous();
        int limit = unambiguousSeen ? UNAMBIGUOUS : AMBIGUOUS;
        if (byDomain.size() > 1 && total >= limit) {
            return Decision.STOP;
        }
        return byDomain.get(domain).count() >= limit ? Decision.HOLD_DOMAIN : Decision.GO_ON;
    }

    /** Counts a row held without trying it (its domain was held). */
    synchronized void heldUntried(String domain) {
        Observed seen = byDomain.get(domain);
        byDomain.put(domain, new Observed(domain, seen.count() + 1, seen.first(), seen.verdict()));
    }

    synchronized boolean any() {
        return total > 0;
    }

    synchronized List<Observed> observed() {
        return new ArrayList<>(byDomain.values());
    }

    /** The refusal that stands for a domain, or empty. */
    synchronized Optional<Observed> of(String domain) {
        return Optional.ofNullable(byDomain.get(domain));
    }

    /** One sentence: who refused, in their words, and what to check. */
    synchronized String sentence() {
        Observed first = byDomain.values().iterator().next();
        String who = byDomain.size() > 1 ? "the relay (or every provider) refuses the sender"
                : first.domain() + (first.verdict().provider() == null ? "" : " (" + first.verdict().provider() + ")")
                        + " refuses the sender";
        return who + ": \"" + first.first().reply() + "\""
                + (first.verdict().hint() == null ? "" : "; " + first.verdict().hint())
                + ". " + heldCount() + " messages are held; fix the cause, then run the same command again to send them";
    }

    private long heldCount() {
        return byDomain.values().stream().mapToLong(Observed::count).sum();
    }
}
