package dev.mailer.optin;

import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.Verdict;
import dev.mailer.audit.AuditTrail;
import dev.mailer.config.Purposes;
import dev.mailer.consent.ConsentRecord;
import dev.mailer.consent.ConsentStore;
import dev.mailer.consent.Contact;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.message.Token;
import dev.mailer.transaction.Transactions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The preference centre (SPEC §9): every purpose under {@code purposes:} with whether the person
 * receives it, as the consent gate sees it (one rule, in SQL); withdrawing is one click and takes
 * effect at once, giving goes through double opt-in (GDPR art. 7(3): withdrawing as easy as
 * giving). Opened with the token of any message's unsubscribe link, under the same rules: a token
 * names its person, and a person who no longer exists sees what anybody would, with nothing
 * recorded.
 */
public final class PreferenceCentre {
    /** The source of every change made here. */
    public static final String SOURCE = "preference centre";

    private final Transactions transactions;
    private final ConsentStore people;
    private final ConsentGate gate;
    private final AuditTrail audit;
    private final Purposes purposes;
    private final String recordedVia;

    /** One listed purpose and whether the person receives it now. */
    public record Choice(Purposes.Purpose purpose, boolean receiving) {
    }

    /**
     * What the page shows.
     *
     * @param email         the person's address, to ask their confirmation of a new grant; never shown
     * @param contactLocale the contact's locale, for the page's language
     */
    public record View(Optional<String> email, Optional<String> contactLocale, List<Choice> choices) {
    }

    /**
     * What a change did.
     *
     * @param withdrawn purposes withdrawn now ({@code *} for everything)
     * @param toConfirm purposes the person asked for, which need their confirmation by mail
     */
    public record Change(List<String> withdrawn, List<String> toConfirm) {
    }

    public PreferenceCentre(Transactions transactions, ConsentStore people, ConsentGate gate, AuditTrail audit,
                            Purposes purposes, String recordedVia) {
        this.transactions = transactions;
        this.people = people;
        this.gate = gate;
        this.audit = audit;
        this.purposes = purposes;
        this.recordedVia = recordedVia;
    }

    /** Looks, changes nothing. */
    public View view(Token token) {
        Optional<Contact> contact = people.contactNamedBy(requireUnsubscribe(token));
        List<Choice> choices = new ArrayList<>();
        for (Purposes.Purpose purpose : purposes.all()) {
            choices.add(new Choice(purpose, contact.isPresent() && receives(contact.get(), purpose.code())));
        }
        return new View(contact.map(Contact::email), contact.map(Contact::locale), choices);
    }

    /**
     * Withdraws at once what is asked to be withdrawn (listed purposes, or {@code *}: everything),
     * and says which listed purposes the person asked for and does not receive now: those are
     * granted only once they confirm by mail. Unlisted purposes are ignored.
     */
    public Change change(Token token, List<String> withdraw, List<String> grant, String ip, String userAgent) {
        requireUnsubscribe(token);
        return transactions.inTransaction(() -> {
            Optional<Contact> found = people.lockContactNamedBy(token);
            if (found.isEmpty() || people.isErased(found.get().emailNormalized())) {
                return new Change(List.of(), List.of());
            }
            Contact contact = found.get();
            List<String> withdrawn = new ArrayList<>();
            boolean everything = withdraw.contains(ConsentStatement.ALL_PURPOSES);
            List<String> asked = everything ? List.of(ConsentStatement.ALL_PURPOSES)
                    : withdraw.stream().filter(p -> purposes.find(p).isPresent()).distinct().toList();
            List<ConsentRecord> history = people.consentHistory(contact.id());
            for (String purpose : asked) {
                if (!alreadyWithdrawn(history, purpose)) {
                    people.appendConsent(contact.id(), new ConsentStatement(purpose, ConsentStatement.WITHDRAWN, null,
                            SOURCE, ip, null, null, ConsentStatement.BASIS_CONSENT, false), userAgent, recordedVia);
                    Map<String, Object> detail = new LinkedHashMap<>();
                    detail.put("purpose", purpose);
                    detail.put("source", SOURCE);
                    audit.record(recordedVia, "consent.withdraw", contact.emailNormalized(), detail);
                    withdrawn.add(purpose);
                }
            }
            List<String> toConfirm = everything ? List.of() : grant.stream()
                    .filter(p -> purposes.find(p).isPresent() && !asked.contains(p))
                    .distinct()
                    .filter(p -> !receives(contact, p))
                    .toList();
            return new Change(withdrawn, toConfirm);
        });
    }

    /** Whether the gate lets this person through for this purpose alone (consent, suppressions, all of it). */
    private boolean receives(Contact contact, String purpose) {
        return gate.judge(GateRules.purposeOnly(purpose), contact.emailNormalized())
                .map(Verdict::eligible).orElse(false);
    }

    private static boolean alreadyWithdrawn(List<ConsentRecord> history, String purpose) {
        return ConsentRecord.latest(history, purpose)
                .map(r -> ConsentStatement.WITHDRAWN.equals(r.status())).orElse(false);
    }

    private static Token requireUnsubscribe(Token token) {
        if (token.kind() != Token.Kind.UNSUBSCRIBE) {
            throw new IllegalArgumentException("the preference centre opens with an unsubscribe token");
        }
        return token;
    }
}
