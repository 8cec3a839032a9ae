package dev.mailer.feedback;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a bounce's human-readable text stops and a quoted copy of the returned message begins.
 * Addresses in the copy's headers (our sender address, the original To) must never be taken for
 * failed recipients, and words in its body must not sway the hard/soft decision.
 */
final class QuotedCopy {
    /** Where to cut the text, and where the copy itself (after any marker line) starts. */
    record Cut(int textEnd, int copyStart) {
    }

    /** Lines that introduce a copy of the returned message inside the human-readable text. */
    private static final Pattern COPY_MARKER = Pattern.compile("(?imu)^[ \\t>]*[-=_*]*[ \\t]*(?:"
            // the line may go on: "------ This is a copy of the message, including all the headers. ------"
            + "(?:below this line is a copy of the message|this is a copy of (?:the|your) message"
            + "|below is a copy of (?:the |your )?(?:original )?message"
            + "|(?:a )?copy of (?:the |your )?(?:original |returned )?message (?:follows|is attached|below)"
            + "|unsent message (?:below|follows)|the headers? of the original message"
            + "|copy of (?:the )?(?:original|returned) message|original message headers?"
            + "|original (?:mail|message) as follows"
            // Exchange's "Original message headers:" in German, Polish, Serbian, French, Spanish, Italian
            + "|ursprüngliche nachrichtenkopfzeilen|oryginalne nagłówki|originalna zaglavlja"
            + "|en-têtes (?:du|de) message d'origine|encabezados del mensaje original"
            + "|intestazioni del messaggio originale)[^\\n]*"
            // the line must end here: "----- Original message -----"
            + "|(?:original message(?: follows| is attached)?|returned message|message headers? follows?)"
            + "[ \\t]*[-=_*:.]*[ \\t]*)$");
    /** Headers every message has: a run of header lines with two of them is a message's header block. */
    private static final Set<String> COMMON_HEADERS = Set.of("received", "return-path", "from",
            "to", "subject", "message-id", "date", "mime-version", "content-type");
    /**
     * Headers that say where a message came from: a copy's header block has one, while a
     * summary of the original ("To: … CC: … Date: … Subject: …", IMail, Exchange) names only
     * where it went and what it was about.
     */
    private static final Set<String> ORIGIN_HEADERS = Set.of("received", "return-path", "from", "sender",
            "message-id");

    private QuotedCopy() {
    }

    /** The cut, or null when the text quotes no copy. */
    static Cut find(CharSequence text) {
        Matcher marker = COPY_MARKER.matcher(text);
        if (marker.find()) {
            return new Cut(marker.start(), marker.end());
        }
        int start = inlineCopyStart(text);
        return start < 0 ? null : new Cut(start, start);
    }

    /**
     * Where a copy of a message's header block starts in text that has no marker line for it:
     * three or more header lines in a row, at least two of them ones every message has and one
     * that names the message's origin (From, Received …). Indented
     * summaries ("  To: …  Subject: …") are not header blocks, and neither are delivery-status
     * fields echoed in the text.
     */
    private static int inlineCopyStart(CharSequence text) {
        int runStart = -1;
        int runLines = 0;
        int common = 0;
        boolean origin = false;
        int pos = 0;
        int length = text.length();
        while (pos < length) {
            int end = pos;
            while (end < length && text.charAt(end) != '\n') {
                end++;
            }
            String line = text.subSequence(pos, end).toString();
            if (runStart >= 0 && !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                pos = end + 1; // a folded header line continues the run
                continue;
            }
            Matcher header = MessageParts.HEADER_LINE.matcher(line);
            if (header.lookingAt()) {
                if (runStart < 0) {
                    runStart = pos;
                    runLines = 0;
                    common = 0;
                    origin = false;
                }
                runLines++;
                String name = line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT);
                if (COMMON_HEADERS.contains(name)) {
                    common++;
                }
                origin |= ORIGIN_HEADERS.contains(name);
                if (name.endsWith("-recipient")) {
                    runStart = -1; // delivery-status fields, not a message's headers
                }
                if (runStart >= 0 && runLines >= 3 && common >= 2 && origin) {
                    return runStart;
                }
            } else {
                runStart = -1;
            }
            pos = end + 1;
        }
        return -1;
    }

}
