package dev.mailer.feedback;

import dev.mailer.reply.Phrases;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a message without a delivery-status part is a bounce all the same, and whether it
 * reports a failure or only a delay. Strong signs are those mail systems put on bounces and
 * people never do (a mailer-daemon sender, X-Failed-Recipients, a delivery-failure subject);
 * phrases in the text are weak signs, enough only when nothing says "auto-reply".
 */
final class BounceSigns {
    private static final Pattern DAEMON_SENDER = Pattern.compile(
            "mailer[-_ ]?daemon|mail[-_ ]?daemon|post_?master|mail delivery (sub)?system|mail administrator"
                    + "|mdaemon|mail system|double-bounce|delivery[-_ ]?(status|notification)|\\bndr\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BOUNCE_SUBJECT = Pattern.compile(String.join("|",
            "undeliver", "undelivered", "non[- ]?deliver", "not delivered", "delivery (status notification|failure"
                    + "|failed|has failed|problem|report|error|notification|incomplete)",
            "returned mail", "returned to sender", "mail delivery (failed|failure|problem|system)", "failure notice",
            "could not (be )?deliver", "unable to deliver", "delivery delayed", "delayed mail", "mail delayed",
            "warning: could not send", "message not delivered", "message you sent could not",
            "nicht zustellbar", "unzustellbar", "zustellung fehlgeschlagen", "nicht zugestellt", "non remis", "non distribu", "échec de (la )?remise",
            "no entregado", "non recapitabile", "mancato recapito", "niedostarcz", "nie dostarczono",
            "nedostav", "nije isporu", "neisporu", "onbestelbaar", "returned message", "delivery notice",
            // a list server or MTA that stopped a message going round in circles (fml, Mailman, qmail)
            "loop alert", "loop detected", "mail loop"),
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    private static final Phrases BOUNCE_TEXT = Phrases.of(
            "could ?n[o']t be delivered", "couldn't be delivered", "(was|were|has|have|wasn't) not (been )?delivered",
            "wasn't delivered", "not be delivered", "undeliverable", "unable to deliver", "(was|were) unable to deliver",
            "wasn't able to deliver", "delivery (has |to the following recipients? )?failed", "delivery failure",
            "permanent (fatal )?error", "following address(es)? failed", "did not reach the following",
            "failed permanently", "returned to sender", "could not deliver", "(could not|cannot) be reached", "non-delivery", "has been delayed",
            "not yet been delivered", "delivery (is )?delayed", "delivery to the following recipient",
            "konnte nicht zugestellt werden", "nicht zugestellt", "zustellung .{0,40}fehlgeschlagen",
            "n'a pas pu être (remis|distribu|délivr)", "non è stato possibile recapitare", "no se ha podido entregar",
            "nie (został[ao]?|mogła zostać|można) dostarcz", "nie powiodło się", "dostarczenie .{0,40}nie powiodło",
            "nije (moguće |mogla biti |bilo moguće )?isporuč", "nije dostavljen", "isporuka .{0,40}nije uspel",
            "isporuka .{0,40}nije uspjel", "kon niet worden bezorgd",
            "message is looping", "mail (forwarding )?loop", "loop detected",
            // the standard text of SMTP replies 550 and 553: quoted only where a delivery failed
            "requested action not taken");
    private static final Phrases DELAY_TEXT = Phrases.of(
            "delayed", "has not yet been delivered", "have not yet been delivered", "not been delivered yet",
            "will (continue to |keep )?(re)?try", "will be retried", "still trying", "could not send message for past",
            "delivery (incomplete|is delayed|delayed)", "temporary (failure|problem|error)",
            "no action is required on your part", "verzögert", "opóźnion", "odložen");
    private static final Phrases GIVEN_UP = Phrases.of("permanent", "given up", "giving up", "gave up",
            "will not (try|retry)", "not going to try again", "could not be delivered", "couldn't be delivered",
            "was not delivered");

    private BounceSigns() {
    }

    /** Signs only mail systems give: failed-recipient header, daemon sender, bounce subject. */
    static boolean strong(MessageParts parts) {
        if (fromMailSystem(parts)) {
            return true;
        }
        String subject = parts.subject();
        return subject != null && BOUNCE_SUBJECT.matcher(subject).find();
    }

    /**
     * A failed-recipient header or a daemon sender: what a message a person wrote (our own
     * newsletter, say, with "could not be delivered" in its subject) never has.
     */
    static boolean fromMailSystem(MessageParts parts) {
        if (parts.header("X-Failed-Recipients") != null) {
            return true;
        }
        String from = parts.header("From");
        return from != null && DAEMON_SENDER.matcher(from).find();
    }

    /** Phrases of the human-readable text that say a message was not delivered. */
    static boolean weak(MessageParts parts) {
        return BOUNCE_TEXT.in(parts.readableLowerCase());
    }

    /** True when the report is about a delay, not a failure ("will keep trying"). */
    static boolean delayed(MessageParts parts) {
        String subject = parts.subject();
        String text = parts.readableLowerCase();
        boolean delay = DELAY_TEXT.in(text) || subject != null && subject.toLowerCase(Locale.ROOT).contains("delay");
        return delay && !GIVEN_UP.in(text);
    }

}
