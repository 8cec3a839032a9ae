package dev.mailer.consent;

import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.MailerException;
import dev.mailer.audit.AuditTrail;
import dev.mailer.transaction.Transactions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code consent grant|withdraw|show}. Every change appends to the history (never edits it) and
 * says who made it and how it reached us.
 */
public final class ConsentService {
    private static final Pattern PURPOSE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

    private final Transactions transactions;
    private final ConsentStore people;
    private final AuditTrail audit;

    public ConsentService(Transactions transactions, ConsentStore people, AuditTrail audit) {
        this.transactions = transactions;
        this.people = people;
        this.audit = audit;
    }

    /**
     * Records a consent given now.
     *
     * @param via how it reached us, e.g. {@code cli by anna@host}
     */
    public ConsentRecord grant(String email, ConsentStatement statement, String userAgent, String via) {
        EmailAddress address = EmailAddress.require(email);
        checkPurpose(statement.purpose());
        return transactions.inTransaction(() -> {
            if (people.isErased(address.normalized())) {
                throw MailerException.usage("The address " + address.address()
                        + " was erased at the person's request; it cannot be given consent or mailed again.");
            }
            long contactId = people.ensureContact(address);
            long id = people.appendConsent(contactId, statement, userAgent, via);
            audit.record(via, "consent.grant", address.normalized(), detail(statement));
            return find(people.consentHistory(contactId), id);
        });
    }

    /** Records a withdrawal for one purpose, or for everything ({@link ConsentStatement#ALL_PURPOSES}). */
    public ConsentRecord withdraw(String email, String purpose, String source, String via) {
        EmailAddress address = EmailAddress.require(email);
        if (!purpose.equals(ConsentStatement.ALL_PURPOSES)) {
            checkPurpose(purpose);
        }
        return transactions.inTransaction(() -> {
            long contactId = people.findContact(address.normalized())
                    .orElseThrow(() -> MailerException.usage("No contact has the address " + address.address()
                            + "; there is no consent to withdraw."))
                    .id();
            ConsentStatement withdrawal = new ConsentStatement(purpose, ConsentStatement.WITHDRAWN, null, source,
                    null, null, null, ConsentStatement.BASIS_CONSENT, false);
            long id = people.appendConsent(contactId, withdrawal, null, via);
            audit.record(via, "consent.withdraw", address.normalized(), detail(withdrawal));
            return find(people.consentHistory(contactId), id);
        });
    }

    public ConsentHistory show(String email) {
        EmailAddress address = EmailAddress.require(email);
        Contact contact = people.findContact(address.normalized()).orElse(null);
        List<ConsentRecord> records = contact == null ? List.of() : people.consentHistory(contact.id());
        return new ConsentHistory(address.address(), contact, records);
    }

    /** @throws MailerException (usage) naming the rule when the purpose is not a valid purpose name */
    public static void checkPurpose(String purpose) {
        if (purpose == null || !PURPOSE.matcher(purpose).matches()) {
            throw MailerException.usage("The purpose '" + purpose
                    + "' is not valid: use lower-case letters, digits, '.', '_' and '-' (up to 64), e.g. newsletter.");
        }
    }

    private static ConsentRecord find(List<ConsentRecord> history, long id) {
        return history.stream().filter(r -> r.id() == id).findFirst().orElseThrow();
    }

    private static Map<String, Object> detail(ConsentStatement statement) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("purpose", statement.purpose());
        detail.put("status", statement.status());
        detail.put("source", statement.source());
        return detail;
    }
}
