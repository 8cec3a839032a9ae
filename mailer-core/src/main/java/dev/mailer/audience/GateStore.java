package dev.mailer.audience;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the consent gate needs from the store. The rules themselves live once, in the store's SQL
 * (the gate function); this interface only asks it questions.
 */
public interface GateStore {
    /**
     * Contacts of the audience with ids in ({@code afterContact}, {@code upToContact}] per reason;
     * the null key counts the eligible ones.
     */
    Map<ExclusionReason, Long> countByReason(GateRules rules, long afterContact, long upToContact);

    /** Up to {@code limit} eligible contacts, in contact order. */
    List<Recipient> eligible(GateRules rules, long limit);

    /** Every eligible contact, in no particular order, streamed: memory stays flat however large the audience. */
    void streamEligible(GateRules rules, Consumer<Recipient> consumer);

    /** How the gate judges one address; empty when no contact has it or it is outside the audience. */
    Optional<Verdict> judge(GateRules rules, String normalizedEmail);

    /** The gate's verdict on these contacts now; contacts no longer in the audience are missing. */
    List<Verdict> judge(GateRules rules, Collection<Long> contactIds);
}
