package dev.mailer.reply;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hard or soft? Hard only when the address itself is permanently undeliverable: unknown user,
 * no such domain or host, address moved, domain that accepts no mail. Everything else (mailbox
 * full or disabled, content, spam or policy, relay denied, too large, temporary failures) is
 * soft: repeated soft bounces reach suppression through a threshold, a single one does not.
 *
 * <p>The order of the checks is the point:
 * <ol>
 *   <li>a null MX (RFC 7505) is hard: the domain declares it accepts no mail;</li>
 *   <li>a temporary reply (4xx, 4.x.x) is never hard;</li>
 *   <li>a text that names a reason that is not the address (full, disabled, too large, spam,
 *       policy, relay, rate) is soft, even under an address status: servers answer "550 5.1.1
 *       mailbox full" too;</li>
 *   <li>an address status (5.1.1 unknown user, 5.1.2 / 5.4.4 no such domain or route, 5.1.6
 *       moved, 5.1.10 null MX, 5.1.0 / 5.1.3 bad address) is hard;</li>
 *   <li>a status that names another reason (5.2.2 full, 5.2.3 / 5.3.4 too large, 5.1.7 / 5.1.8
 *       our sender address) is soft;</li>
 *   <li>a text that clearly says the address does not exist is hard whatever else the status
 *       says: "550 5.7.1 user unknown", "5.2.1 user unknown" and "5.4.1 recipient address
 *       rejected: access denied" (Exchange Online's answer for an address it does not know);</li>
 *   <li>vaguer address wording ("mailbox unavailable", "recipient rejected") is hard only when
 *       the status is missing or generic (5.0.0, 5.5.x): under 5.7.x policy it is soft.</li>
 * </ol>
 * Thread-safe and allocation-light: it runs for every failed SMTP reply and every bounce. Replies
 * that are the sender's fault or a rate limit are told apart before ({@link SenderWording}).
 */
final class RecipientWording {
    private static final Pattern HARD_STATUS = Pattern.compile("5\\.1\\.(0|1|2|3|6|10)|5\\.4\\.4");
    /** Statuses that name a reason other than the address, whatever the text adds. */
    private static final Pattern OTHER_REASON_STATUS = Pattern.compile("5\\.2\\.[23]|5\\.3\\.4|5\\.1\\.[78]");
    /** Statuses whose class is about the address or nothing in particular: the text decides. */
    private static final Pattern VAGUE_STATUS = Pattern.compile("5\\.0\\.\\d+|5\\.5\\.\\d+|5\\.1\\.\\d+|5\\.4\\.\\d+");

    /** Mailbox full (also {@link Replies}' reason {@code mailbox_full}). */
    static final Phrases MAILBOX_FULL = Phrases.of(
            "mailbox (is |was |has become )?full", "full mailbox", "mailbox.{0,20}(over|exceed)",
            "quota", "insufficient (system )?storage", "not enough (storage|space|disk)",
            "storage (allocation|space|limit)", "disk space", "mail ?folder is full", "mailbox size",
            "too many messages", "enough space", "space has been used up", "too much mail data",
            "exceed(s|ed)? (the )?(maximum )?(allowed )?storage", "postfach (ist )?voll", "speicher(platz)? (ist )?voll", "pełn[aey]",
            "przepełnion", "(boîte|boite).{0,30}pleine", "casella.{0,20}piena", "buz[oó]n.{0,20}lleno",
            "sandu[čc]e.{0,20}pun", "pun[oa] sandu");

    /** Mailbox disabled or suspended (also the reason {@code mailbox_disabled}). */
    static final Phrases MAILBOX_DISABLED = Phrases.of(
            "disabled", "suspend", "deactivated", "unavailable or access denied",
            // iCloud's "550 5.1.1 inactive email address" is the address, not a paused mailbox: the
            // status decides
            "inactive(?! (e-?mail )?address)", "frozen", "\\blocked\\b", "on hold",
            "gesperrt", "deaktiviert", "zablokowan", "wyłączon", "nieaktywn", "onemogu[ćc]en", "blokiran");

    private static final Phrases OTHER_SOFT_TEXT = Phrases.of(
            // size
            "too (large|big)", "message size", "size limit", "exceeds? (the )?(maximum|size|limit|allowed)",
            "message length exceeds", "maximum (message )?size",
            // relaying
            "relay(ing)? (access )?(denied|not (permitted|allowed))", "(not permitted|unable|not allowed) to relay",
            "do(es)? not relay", "no relaying", "relay(ing)? prohibited", "allowed rcpthosts",
            // spam, content, policy, authentication, reputation
            "spam", "junk", "bulk mail", "unsolicited", "blacklist", "blocklist", "black list", "block list",
            "blocked", "denylist", "(?<!not )listed (at|in|on|by)", "\\bdnsbl", "\\brbl\\b", "reputation", "policy",
            "content (rejected|filter|policy|violat|not accepted|blocked)", "message content", "inappropriate content",
            "virus", "malware", "phish", "prohibited", "dmarc", "\\bspf\\b", "dkim",
            "authenticat", "reverse dns", "\\bptr\\b", "not authori[sz]ed", "pas autoris", "\\btls\\b", "starttls",
            "sender (address|domain)",
            // rate, greylisting, temporary
            "rate limit", "rate-limit", "ratelimit", "too many (connections|recipients|messages|mails)",
            "throttl", "greylist", "graylist", "temporar", "try again later", "try later", "loop",
            // the connection, not the address: "Connection reset by peer", "Remote protocol error",
            // "lost connection with mx… while sending RCPT TO"
            "connection (was )?(reset|refused|timed out|dropped|closed by|lost)", "lost connection",
            "protocol error", "network (is )?unreachable", "no route to host", "host is unreachable",
            "too many hops", "hop count exceeded", "host name lookup failure",
            "not found, try again", "could not connect and send",
            // the server refused our envelope sender, not the recipient (Exim "after MAIL FROM",
            // Postfix "in reply to MAIL FROM command"): says nothing about the address
            "(after|in reply to) mail from", "unroutable sender",
            // "550 5.1.0 <bounces@…> sender rejected" (Cox, Cloudmark): our envelope sender is refused,
            // the 5.1.x status is about that address, not the recipient's
            "sender (address )?(was |is )?(rejected|refused|denied|blocked|not allowed)",
            // other refusals of the sender or of who may post: "Invalid sender", Exim's callout
            // "Sender verify failed", "Domain of sender address … does not exist", list servers
            "invalid sender", "sender verify failed", "domain of sender address", "null sender",
            "empty envelope sender", "returned mail not accepted", "members-only list", "non-member",
            "not allowed to post", "mail from not owned",
            // the receiving system's local delivery program failed (procmail, maildrop, a pipe):
            // its fault, whatever status the MTA maps the exit code to
            "procmail", "maildrop", "command died with status", "command failed:", "pipe to \\|",
            "mailer error");

    private static final Phrases SOFT_TEXT = Phrases.anyOf(MAILBOX_FULL, MAILBOX_DISABLED, OTHER_SOFT_TEXT);

    private static final Phrases UNKNOWN_ADDRESS_TEXT = Phrases.of(
            // unknown user or mailbox
            "user unknown", "unknown user", "unknown recipient", "recipient unknown", "address unknown",
            "unknown (local[- ]?part|mailbox|address|e-?mail|alias)", "unknown or illegal alias",
            "no such (user|mailbox|recipient|address|person|account|local user)",
            "(user|recipient|mailbox|address|account|alias) (is )?(not found|unknown|not known)",
            // "may not exist, or you may not have permission" (Google Groups) only guesses: not these
            "does ?n[o']t exist", "doesn't exist", "(?<!may )(?<!might )not exist", "non-?existent (user|mailbox|address|account|host|domain)",
            "no mailbox", "mailbox (not found|unknown|invalid|not present)", "invalid (recipient|mailbox|user)",
            "not a valid (user|mailbox|recipient|address)", "is not a known user", "not a known user",
            "no (account|user) by that name", "there is no one at this address", "not our customer",
            "doesn't have an? .{1,40} account", "does not have an? .{1,40} account",
            "recipient (name is )?not recognized", "name is not recognized",
            "recipient address rejected: (user|invalid|unknown|access denied|undeliverable)",
            "(address|recipient|user|mailbox|account|domain)[^.]{0,40}(couldn't|could not|can't|cannot) be found",
            "recipient not found", "resolver\\.adr\\.recip(ient)?notfound", "recipnotfound",
            "not listed in (the )?(domino|public name|address book|directory)", "badrcptto", "validrcptto",
            "(account|mailbox|user|address) (has been )?(deleted|removed|closed|terminated|cancel+ed)",
            "(address|account|mailbox) (is )?no longer (valid|in use|active|available|exists)",
            "(mailbox|account|casilla|cuenta) (has |ha )?expir",
            "no longer (a valid|an active)",
            // more MTAs' words for it: vpopmail, LDAP lookups, older ISPs, Microsoft's "no valid
            // recipients", qmail-ldap's missing home directory
            "archived recipient", "bad[-_ ]recipient", "unknown virtual user", "no mail ?box (here|available|for)",
            "not an active address", "no longer accepts mail", "email name is not found",
            "(recipient|user|mailbox|address) <?[^\\s>@]{1,64}@[^\\s>]{1,100}>? (was |is )?not (found|known)",
            "(user|account) missing home directory", "(addresses|recipients) were unknown",
            "no matches to nameserver query");

    /** No such domain or host, no mail accepted (also the reason {@code host_unknown}). */
    static final Phrases NO_SUCH_HOST = Phrases.of(
            "unrouteable address", "unroutable address", "no such domain", "domain (does not exist|not found|unknown)",
            "unknown domain", "host (or domain name )?not found",
            // "DNS lookup failure: host mx.example.org not found" (DragonFly, older MTAs)
            "host [a-z0-9.-]+\\.[a-z0-9-]+ not found", "host unknown", "unknown host",
            "(could not|couldn't|can't|cannot) find (any )?host", "name or service not known", "nxdomain",
            "null mx", "no mx", "does not accept mail",
            // Exim: "an MX or SRV record indicated no SMTP service" (a null MX or "." target)
            "indicated no smtp service", "accepts no mail", "not accepting mail",
            // Outlook.com's wording when the recipient's domain does not resolve
            "domain is not reachable");

    private static final Phrases MOVED_AND_OTHER_LANGUAGES = Phrases.of(
            // moved
            "(address|mailbox|user|recipient) (has )?moved", "has been replaced by", "address (has )?changed",
            // other languages: German, French, Polish, Serbian/Croatian, Spanish, Italian, Dutch
            "benutzer unbekannt", "unbekannte?r? (benutzer|empfänger|adresse)", "empfänger unbekannt",
            "existiert nicht", "nicht gefunden", "utilisateur inconnu", "destinataire inconnu",
            "adresse (inconnue|invalide|introuvable)", "introuvable", "n'existe pas",
            "nie istnieje", "nieznany (użytkownik|odbiorca|adresat|adres)", "nieprawidłowy adres",
            "nie można znaleźć", "nie znaleziono", "ne postoji", "nepostoje[ćc]",
            "nepoznat (korisnik|primalac|primatelj|adresa)", "nije prona[đd]", "usuario desconocido",
            "no existe", "no se encontr", "utente (sconosciuto|inesistente)", "non esiste",
            "onbekende gebruiker", "bestaat niet", "niet gevonden",
            // Japanese (Lotus Notes/Domino, m-FILTER): "not in the directory", "does not exist"
            "ディレクトリ.{0,12}(見つかりません|ありません)", "存在しません",
            "(ユーザー?|アカウント|メールアドレス|アドレス|宛先|受信者).{0,8}(見つかりません|見つかりませんでした|不明)",
            "宛先不明",
            // Chinese (QQ, 163, Sina, Aliyun): "user / mailbox / address does not exist"
            "(用户|用戶|帐号|帳號|账号|账户|邮箱|郵箱|地址|收件人).{0,6}不存在",
            // IMail: "Invalid final delivery userid"
            "invalid .{0,30}userid");

    private static final Phrases HARD_TEXT = Phrases.anyOf(UNKNOWN_ADDRESS_TEXT, NO_SUCH_HOST,
            MOVED_AND_OTHER_LANGUAGES);

    private static final Phrases VAGUE_HARD_TEXT = Phrases.of(
            "mailbox (is )?unavailable", "mailbox not available", "recipient (address )?rejected",
            "address rejected", "invalid address", "bad (destination )?(address|recipient|mailbox)",
            "not a local (address|user)", "user not local", "recipient not (ok|accepted|allowed)",
            "rejected recipient", "undeliverable address", "no valid recipients", "recipient (is )?not local",
            "destination server rejected recipients");

    /**
     * RFC 7505 null MX: the domain publishes that it takes no mail at all. Permanent whatever status
     * the reporter attaches (Gmail labels it 4.0.0 with Action: failed), so it is checked first.
     */
    private static final Phrases NO_MAIL_DOMAIN = Phrases.of("null mx", "rfc ?7505");

    private RecipientWording() {
    }

    /**
     * @param code           the SMTP reply code (5xx); 0 when unknown
     * @param enhancedStatus RFC 3463 status such as 5.1.1, or null
     * @param text           the reply or diagnostic text
     */
    static boolean isHard(int code, String enhancedStatus, String text) {
        String lower = text == null ? "" : text.toLowerCase(Locale.ROOT);
        if (NO_MAIL_DOMAIN.in(lower)) {
            return true;
        }
        if (code != 0 && code < 500) {
            return false;
        }
        String status = enhancedStatus == null || enhancedStatus.isBlank() ? null : enhancedStatus.strip();
        if (status != null && !status.startsWith("5.")) {
            return false;
        }
        if (SOFT_TEXT.in(lower)) {
            return false;
        }
        if (status != null && HARD_STATUS.matcher(status).matches()) {
            return true;
        }
        if (status != null && OTHER_REASON_STATUS.matcher(status).matches()) {
            return false;
        }
        if (HARD_TEXT.in(lower)) {
            return true;
        }
        boolean vagueStatus = status == null || VAGUE_STATUS.matcher(status).matches();
        return vagueStatus && VAGUE_HARD_TEXT.in(lower);
    }
}
