package dev.mailer.audience;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Who of a campaign's audience may be mailed, and why the others may not. */
public final class ConsentGate {
    private final GateStore store;

    public ConsentGate(GateStore store) {
        this.store = store;
    }

    public GateReport report(GateRules rules) {
        return report(rules, 0, Long.MAX_VALUE);
    }

    /** The same for the contacts with ids in ({@code afterContact}, {@code upToContact}]. */
    public GateReport report(GateRules rules, long afterContact, long upToContact) {
        return GateReport.of(store.countByReason(rules, afterContact, upToContact));
    }

    /** Up to {@code limit} eligible contacts, in contact order. */
    public List<Recipient> eligible(GateRules rules, long limit) {
        return store.eligible(rules, limit);
    }

    /** Every eligible contact, in no particular order, streamed. */
    public void streamEligible(GateRules rules, Consumer<Recipient> consumer) {
        store.streamEligible(rules, consumer);
    }

    /** How the gate judges one address now; empty when unknown or outside the audience. */
    public Optional<Verdict> judge(GateRules rules, String normalizedEmail) {
        return store.judge(rules, normalizedEmail);
    }

    /**
     * The gate again, for rows made earlier: someone may have unsubscribed or bounced since. Keyed by
     * contact id; a contact no longer in the audience has no entry.
     */
    public Map<Long, Verdict> recheck(GateRules rules, Collection<Long> contactIds) {
        Map<Long, Verdict> now = new HashMap<>();
        for (Verdict verdict : store.judge(rules, contactIds)) {
            now.put(verdict.recipient().contactId(), verdict);
        }
        return now;
    }
}
