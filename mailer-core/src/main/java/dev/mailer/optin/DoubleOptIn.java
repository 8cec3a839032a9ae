package dev.mailer.optin;

import dev.mailer.message.MailboxAddress;
import dev.mailer.config.ConfigFileValues;
import dev.mailer.config.Purposes;
import dev.mailer.contacts.ConsentStatement;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import dev.mailer.i18n.BuiltInLanguage;
import dev.mailer.message.MessageSettings;
import dev.mailer.message.MimeComposer;
import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import dev.mailer.audience.ConsentGate;
import dev.mailer.audience.ExclusionReason;
import dev.mailer.audience.GateRules;
import dev.mailer.audience.Verdict;
import dev.mailer.audit.AuditTrail;
import dev.mailer.consent.ConsentService;
import dev.mailer.consent.ConsentRequest;
import dev.mailer.consent.ConsentStore;
import dev.mailer.consent.Contact;
import dev.mailer.transaction.Transactions;
import dev.mailer.template.RenderedMessage;
import dev.mailer.transport.SendResult;
import dev.mailer.transport.Sender;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.SmtpPool;
import java.time.Duration;
import java.time.LocalDate;
import java.util.IllformedLocaleException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code mailer consent request}: the first half of double opt-in. Sends one message whose link
 * ({@code BASE/c/TOKEN}, served by {@code mailer serve}) confirms the consent; sending it is not
 * consent, so nothing but the bare contact is stored until the person confirms
 * ({@link ConsentConfirmation}).
 */
public final class DoubleOptIn {
    private static final Duration BORROW_WAIT = Duration.ofSeconds(5);
    private static final int ATTEMPTS = 3;

    private final Transactions transactions;
    private final ConsentStore people;
    private final ConsentGate gate;
    private final AuditTrail audit;
    private final MessageSettings settings;
    private final String actor;
    private final MimeComposer composer = new MimeComposer();

    /**
     * What was sent.
     *
     * @param language       the language of the message (pl, sr-Latn, en)
     * @param contactCreated whether the address was new (stored with no consent)
     * @param expiresOn      the last day the link confirms
     */
    public record Sent(String email, String purpose, String language, boolean contactCreated, String messageId,
                       String relay, LocalDate expiresOn) {
    }

    /** The contact as checked before sending, and the request stored for them. */
    private record Addressee(long contactId, String name, boolean created, BuiltInLanguage language,
                             long requestId) {
    }

    /** The source of requests made with {@code mailer consent request}. */
    public static final String CLI_SOURCE = "consent request";

    /**
     * Where a request comes from, kept with it until the person confirms.
     *
     * @param source      e.g. {@value #CLI_SOURCE}, {@code sign-up form (https://shop.example/)}
     * @param textVersion the purpose's wording version (mailer.yaml {@code purposes:}), or null
     * @param clientIp    who asked through serve, or null
     * @param tags        given to the contact when they confirm
     */
    public record Origin(String source, String textVersion, String clientIp, List<String> tags, String name) {
        public static final Origin CLI = new Origin(CLI_SOURCE, null, null, List.of(), null);

        /**
         * @param name the name a new contact is stored with (the form's, cleaned); an existing
         *             contact keeps theirs
         */
        public Origin {
            tags = List.copyOf(tags);
        }
    }

    private Purposes purposes = Purposes.NONE;

    /** The same, naming each listed purpose by its title in the message's language. */
    public DoubleOptIn withPurposes(Purposes listed) {
        DoubleOptIn copy = new DoubleOptIn(transactions, people, gate, audit, settings, actor);
        copy.purposes = listed == null ? Purposes.NONE : listed;
        return copy;
    }

    /**
     * @param settings who sends and where links and bounces go; {@link #settings} builds them from
     *                 the configuration
     * @param actor    for the audit log, e.g. {@code cli anna@host}
     */
    public DoubleOptIn(Transactions transactions, ConsentStore people, ConsentGate gate, AuditTrail audit,
                       MessageSettings settings, String actor) {
        this.transactions = transactions;
        this.people = people;
        this.gate = gate;
        this.audit = audit;
        this.settings = settings;
        this.actor = actor;
    }

    /**
     * The sender of confirmation messages from the configuration: From is {@code from} when
     * given, else {@code no-reply@} the domain of the bounce address or of the unsubscribe site;
     * bounce and unsubscribe addresses and the site default to the From domain (SPEC §2).
     *
     * @throws MailerException (usage) when no From address can be had
     */
    public static MessageSettings settings(ConfigFileValues config, String from, TokenSigner tokens) {
        MailboxAddress sender = from != null ? MailboxAddress.parse(from).orElseThrow(() -> MailerException.usage(
                "--from '" + from + "' is not an address such as news@example.com or 'Shop <news@example.com>'."))
                : defaultFrom(config).orElseThrow(() -> MailerException.usage("No From address for the confirmation"
                + " message: give --from ADDRESS, or set bounce-address or unsubscribe-base-url in mailer.yaml."));
        if (sender.displayName() == null && config.sender().organisation() != null) {
            sender = new MailboxAddress(config.sender().organisation(), sender.address());
        }
        return MessageSettings.of(sender, null, config, tokens);
    }

    private static Optional<MailboxAddress> defaultFrom(ConfigFileValues config) {
        String domain = config.bounceAddress() != null ? config.bounceAddress().domain()
                : config.unsubscribeBaseUrl() != null ? config.unsubscribeBaseUrl().getHost() : null;
        return Optional.ofNullable(domain).flatMap(d -> EmailAddress.parse("no-reply@" + d))
                .map(address -> new MailboxAddress(null, address));
    }

    /**
     * Sends the confirmation message for one purpose.
     *
     * @param locale the message's language when given (pl, sr-Latn, en); else the contact's
     * @throws MailerException usage for a bad address, purpose or locale, or an address that must
     *                         not be mailed (erased, suppressed, unsubscribed from everything);
     *                         no-relay when no relay took the message
     */
    public Sent request(String email, String purpose, String locale, SmtpPool pool) {
        return request(email, purpose, locale, new Sender(pool, new Throttle(null, Map.of())));
    }

    /** The same through a sender that may also be throttled (serve's sign-up form shares one). */
    public Sent request(String email, String purpose, String locale, Sender sender) {
        return request(email, purpose, locale, sender, Origin.CLI);
    }

    /** The same for a request from elsewhere (the sign-up form, the preference centre). */
    public Sent request(String email, String purpose, String locale, Sender sender, Origin origin) {
        EmailAddress address = EmailAddress.require(email);
        ConsentService.checkPurpose(purpose);
        String languageTag = checkLocale(locale);
        Addressee addressee = transactions.inTransaction(() -> prepare(address, purpose, languageTag, origin));

        LocalDate today = LocalDate.now();
        String confirm = settings.tokens().sign(new Token(Token.Kind.CONFIRM, addressee.requestId(), addressee.contactId(), purpose,
                today.toEpochDay(), address.normalized()));
        String unsubscribe = settings.tokens().sign(new Token(Token.Kind.UNSUBSCRIBE, 0, addressee.contactId(),
                purpose, today.toEpochDay(), address.normalized()));
        String bounce = settings.tokens().sign(new Token(Token.Kind.BOUNCE, 0, addressee.contactId(), null,
                today.toEpochDay(), address.normalized()));
        RenderedMessage content = ConfirmationMessage.render(addressee.language(),
                purposes.title(purpose, addressee.language().tag()),
                settings.link("c/" + confirm), organisation(), settings.sender());
        String recipient = sendableAddress(address);
        MimeComposer.Composed composed = composer.compose(new MimeComposer.Envelope(settings.from(), null,
                recipient, addressee.name(), settings.link("u/" + unsubscribe),
                settings.unsubscribeAddress(unsubscribe),
                "optin:" + purpose + ":" + settings.fromDomain() + ":mailer", settings.fromDomain()), content);
        byte[] bytes = settings.dkim() == null ? composed.bytes() : settings.dkim().sign(composed.bytes());

        String relay = deliver(sender, settings.bounceAddress(bounce), recipient, bytes, address);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("purpose", purpose);
        detail.put("language", addressee.language().tag());
        detail.put("messageId", composed.messageId());
        audit.record(actor, "consent.request", address.normalized(), detail);
        return new Sent(address.address(), purpose, addressee.language().tag(), addressee.created(),
                composed.messageId(), relay, today.plusDays(ConsentConfirmation.VALID_DAYS));
    }

    /**
     * The contact to ask, created with no consent when new. The gate decides who must not be asked:
     * the same rules that keep a person from every campaign (the address, "nothing at all", the
     * suppressions). Runs in a unit of work: a refusal rolls back the contact it created.
     */
    private Addressee prepare(EmailAddress address, String purpose, String locale, Origin origin) {
        String shown = address.address();
        if (people.isErased(address.normalized())) {
            throw MailerException.usage("The address " + shown + " was erased at the person's request; it cannot be"
                    + " asked for consent or mailed again.");
        }
        Optional<Contact> existing = people.findContact(address.normalized());
        long contactId = existing.isPresent() ? existing.get().id()
                : people.ensureContact(address, origin.name(), locale, List.of());
        ExclusionReason reason = gate.judge(GateRules.purposeOnly(purpose), address.normalized())
                .map(Verdict::reason).orElse(null);
        if (reason != null && reason.blocksEveryMessage()) {
            throw MailerException.usage("The address " + shown + switch (reason) {
                case SUPPRESSED_UNSUBSCRIBED -> " asked to receive nothing at all from us"
                        + " (unsubscribe from everything), so no confirmation request was sent.";
                case INVALID_ADDRESS -> " cannot be mailed (it is not an address mail servers accept), so no"
                        + " confirmation request was sent.";
                default -> " is suppressed (reason " + reason.code().substring("suppressed_".length()) + "), so no"
                        + " confirmation request was sent; see 'mailer suppress list'.";
            });
        }
        String name = existing.map(Contact::name).orElse(origin.name());
        String contactLocale = existing.map(Contact::locale).orElse(null);
        BuiltInLanguage language = BuiltInLanguage.ofLocale(locale != null ? locale : contactLocale);
        long requestId = people.addRequest(new ConsentRequest.New(contactId, purpose, origin.source(),
                origin.textVersion(), origin.clientIp(), origin.tags()));
        return new Addressee(contactId, name, existing.isEmpty(), language, requestId);
    }

    /**
     * Hands the message to the first relay that takes it, trying again (on the same or the next
     * relay) when one fails for a reason that may pass.
     *
     * @return the relay that accepted it
     */
    private static String deliver(Sender sender, String envelopeFrom, String recipient, byte[] bytes,
                                  EmailAddress address) {
        SendResult last = null;
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                long deadline = System.nanoTime() + BORROW_WAIT.toNanos();
                Optional<Sender.Delivery> delivery = sender.send(envelopeFrom, recipient, bytes, () -> true,
                        () -> System.nanoTime() > deadline);
                if (delivery.isEmpty()) {
                    break;
                }
                last = delivery.get().result();
                if (last.sent()) {
                    return delivery.get().relay();
                }
                if (last.outcome() == SendResult.Outcome.PERMANENT) {
                    throw MailerException.usage("The SMTP relay " + delivery.get().relay() + " refused the"
                            + " confirmation message for " + address.address() + " (" + last.reply() + ");"
                            + " nothing was sent.");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailerException(ErrorKind.INTERRUPTED, "Interrupted before the confirmation message for "
                    + address.address() + " was sent; nothing was sent.");
        }
        throw new MailerException(ErrorKind.NO_RELAY, "No SMTP relay took the confirmation message for "
                + address.address() + (last == null || last.reply() == null ? "" : " (" + last.reply() + ")")
                + "; nothing was sent, so run the same command again later.");
    }

    private static String checkLocale(String locale) {
        if (locale == null || locale.isBlank()) {
            return null;
        }
        try {
            return new Locale.Builder().setLanguageTag(locale.strip().replace('_', '-')).build().toLanguageTag();
        } catch (IllformedLocaleException e) {
            throw MailerException.usage("--locale '" + locale + "' is not a language tag such as pl, sr-Latn or en.");
        }
    }

    /** Who asks, as the person knows them: the organisation, else the From name, else its domain. */
    private String organisation() {
        if (settings.sender().organisation() != null) {
            return settings.sender().organisation();
        }
        return settings.from().displayName() != null ? settings.from().displayName() : settings.fromDomain();
    }

    /** As the person wrote it, with the domain in ASCII: what SMTP servers accept. */
    private static String sendableAddress(EmailAddress address) {
        String written = address.address();
        return written.substring(0, written.lastIndexOf('@')) + "@" + address.domain();
    }
}
