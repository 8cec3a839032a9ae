package dev.mailer.feedback;

import dev.mailer.reply.Phrases;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the failed addresses, and the reason given for each, in the human-readable text of a
 * bounce that has no machine-readable part (qmail, older Exim, Yahoo, Lotus Domino, Exchange
 * 2003, Sendmail without DSN, postmaster replies …), or that lacks a usable one.
 *
 * <p>Mail systems lay these texts out in a few ways: the address alone on its line, perhaps in
 * angle brackets or quotes, followed by the reason ("&lt;jan@example.com&gt;:" then "Sorry, no
 * mailbox here by that name."); the address after an introduction ("did not reach the following
 * recipient(s):"); or inside a transcript ("RCPT TO:&lt;jan@example.com&gt;"). Addresses in such
 * places are preferred. Others (in sentences) are used only when there are none of those, and
 * lines that repeat the original's headers ("To: …", "From: …") never count: they name the
 * sender or an address the message was sent to, not necessarily the one that failed.
 */
final class FailedRecipients {
    /** One failed address and the text about it. */
    record Failure(String address, String reason) {
    }

    private static final int REASON_CHARS = 1200;
    private static final int INTRO_REACH = 8;
    private static final int LOOK = 200;
    /** No real report names more; a text naming thousands of addresses is not a bounce. */
    static final int MAX_FAILURES = 100;
    private static final Pattern HEADER_LIKE = Pattern.compile(
            "(?i)^[\\s>]*(to|from|cc|bcc|subject|sent|date|reply-to|return-path|sender|message-id|in-reply-to"
                    + "|references|received|envelope-from|envelope-to|x-[a-z0-9-]+|an|von|od|do|de|para|à|a|aan|van"
                    + "|temat|betreff|objet|asunto|oggetto|datum|data|wysłano|gesendet|envoyé|enviado|poslato"
                    + "|poslano|šalje|prima|primalac)\\s*:");
    private static final Phrases INTRO = Phrases.of(
            "following (recipient|address|destination|e-?mail)", "these recipients", "to these recipients",
            "(was|were) not delivered to", "could not be delivered to", "couldn't be delivered to",
            "failed to be delivered to", "unable to deliver (your|the|this) message to", "delivery to the following",
            "failed to reach", "did not reach", "error delivering (your |the )?(mail|message) to", "delivery has failed to", "address(es)? failed",
            "recipient address", "undeliverable to", "not be delivered to", "the address to which",
            "(could not|cannot|can't) be reached", "the following message to", "message to the following",
            "folgende(n)? empfänger", "folgenden? adresse", "destinataires suivants", "destinatari",
            "następując(ych|y) (adresat|odbiorc)", "tych adresatów", "do adresatów", "sledeć(im|ih) primaoc",
            "sljedeć(im|ih) primatelj", "primaocima", "destinatarios");
    /** Where a transcript or a report names the recipient: "RCPT TO:&lt;", "Final-Recipient: rfc822;". */
    private static final Pattern NAMED_BEFORE = Pattern.compile(
            "(?i)(rcpt to:?|(final|original)-recipient:\\s*(rfc822\\s*;)?)\\s*<?$");
    /** An address the original was expanded from (Exim): not itself a failure. */
    private static final Pattern GENERATED_FROM = Pattern.compile("(?i)generated (from|by)\\s*<?$");
    /**
     * What may stand before an address on "its own" line: list marks, a reply code and status
     * (transcripts), or a display name, but then only with a bracket: "Jan Kowalski &lt;jan@…&gt;".
     * A bare address after words is part of a sentence ("please contact help@…").
     */
    private static final Pattern LEAD_IN = Pattern.compile(
            "(?i)^[\\s>*\\-•]*(<<<\\s*)?(\\d{3}[ -])?(#?\\d\\.\\d{1,3}\\.\\d{1,3}\\s+)?"
                    + "((\"[^\"]{0,80}\"|[\\p{L}\\p{N} .,'_-]{1,60})\\s*[<(\\[]\\s*(mailto:|smtp:)?"
                    + "|[<'\"(\\[]?\\s*(mailto:|smtp:|rfc822;\\s*)?)$");
    /** What may follow an address on "its own" line. */
    private static final Pattern TAIL = Pattern.compile(
            "(?i)^[>'\")\\]]*\\s*(:.*|\\.\\.\\..*|\\s+on\\s.*|\\s*\\(.*|,.*|\\s*-.*|\\s+said.*|;.*)?$");

    private FailedRecipients() {
    }

    /**
     * @param text       the human-readable text, without the returned copy
     * @param ignored    normalized addresses that are never the failed one: ours, the
     *                   reporting system's, the original's sender
     * @param announced  addresses a header names as failed (X-Failed-Recipients); they win
     */
    static List<Failure> find(String text, Set<String> ignored, List<String> announced) {
        List<Addresses.Found> all = Addresses.findAll(text);
        Set<String> preferred = new LinkedHashSet<>();
        Set<String> other = new LinkedHashSet<>();
        // ignored or system addresses that stand alone on their line, in a transcript or right
        // after an introduction ("error delivering your mail to <postmaster@…>"), where
        // failed ones do: people do mail themselves or a postmaster, so these are the failure
        // when the text names no other
        Set<String> listedButIgnored = new LinkedHashSet<>();
        int[] lineStarts = lineStarts(text);
        int introLine = -100;
        int addressIndex = 0;
        for (int line = 0; line < lineStarts.length; line++) {
            int start = lineStarts[line];
            int end = line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length();
            String lineText = text.substring(start, end);
            if (INTRO.inAnyCase(lineText)) {
                introLine = line;
            }
            boolean headerLike = HEADER_LIKE.matcher(lineText).find();
            boolean firstOnLine = true;
            while (addressIndex < all.size() && all.get(addressIndex).start() < end) {
                Addresses.Found found = all.get(addressIndex++);
                String address = found.normalized();
                // a bounded look to either side: lines can be long, and patterns below need little
                String before = text.substring(Math.max(start, found.start() - LOOK), found.start());
                if (isOurs(address) || GENERATED_FROM.matcher(before).find()) {
                    continue;
                }
                if (headerLike && !lineText.toLowerCase(Locale.ROOT).contains("recipient")) {
                    continue;
                }
                boolean unlikely = ignored.contains(address) || Addresses.isSystem(address);
                String after = text.substring(found.end(), Math.min(end, found.end() + LOOK)).stripTrailing();
                boolean ownLine = found.start() - start < LOOK && LEAD_IN.matcher(before).matches()
                        && TAIL.matcher(after).matches();
                boolean transcript = NAMED_BEFORE.matcher(before).find();
                // after an introduction, the address a line starts with is listed; later ones on the
                // same line are part of its reason ("<jan@…> (user unknown jan@…)")
                boolean introduced = firstOnLine && line - introLine <= INTRO_REACH && line >= introLine;
                firstOnLine = false;
                boolean listed = ownLine || transcript || introduced || announced.contains(address);
                if (unlikely) {
                    if (ownLine || transcript || introduced) {
                        listedButIgnored.add(address);
                    }
                } else if (listed) {
                    preferred.add(address);
                } else {
                    other.add(address);
                }
            }
        }
        List<String> chosen = new ArrayList<>();
        for (String address : announced) {
            if (!ignored.contains(address) && !chosen.contains(address)) {
                chosen.add(address);
            }
        }
        if (chosen.isEmpty()) {
            chosen.addAll(preferred);
        }
        if (chosen.isEmpty() && !other.isEmpty()) {
            chosen.add(other.iterator().next());
        }
        if (chosen.isEmpty()) {
            chosen.addAll(listedButIgnored);
        }
        List<Failure> failures = new ArrayList<>();
        for (String address : chosen.subList(0, Math.min(chosen.size(), MAX_FAILURES))) {
            String own = chosen.size() > 1 ? ownReplies(text, all, address, chosen) : null;
            failures.add(new Failure(address, own != null ? own : reason(text, all, address, chosen)));
        }
        return failures;
    }

    /**
     * The text about one failed address: from the line where it is first named up to the line
     * where another failed address is named, and the same from each later place it is named that is
     * not already covered. When the address is not named at all (it came from a header), the
     * whole text is the reason.
     */
    static String reason(String text, List<Addresses.Found> all, String address, List<String> failed) {
        StringBuilder reason = new StringBuilder();
        int coveredUntil = -1;
        for (int i = 0; i < all.size() && reason.length() < REASON_CHARS; i++) {
            if (!all.get(i).normalized().equals(address) || all.get(i).start() < coveredUntil) {
                continue;
            }
            int lineStart = text.lastIndexOf('\n', all.get(i).start()) + 1;
            int to = text.length();
            for (int j = i + 1; j < all.size(); j++) {
                String other = all.get(j).normalized();
                if (!other.equals(address) && failed.contains(other)) {
                    to = startOfItsLine(text, all.get(j).start());
                    break;
                }
            }
            to = Math.max(lineStart, Math.min(to, lineStart + REASON_CHARS));
            reason.append(text, lineStart, to).append('\n');
            coveredUntil = to;
        }
        String result = reason.isEmpty() ? text : reason.toString();
        return result.length() > REASON_CHARS * 2 ? result.substring(0, REASON_CHARS * 2) : result;
    }

    /**
     * With several failed addresses, the lines that name this one together with a reply code or
     * status ("554 &lt;jan@…&gt;... 550 Host unknown", "&lt;jan@…&gt;: host … said: 550 5.1.1 …"),
     * each with its indented continuation lines: the address's own replies. The text between
     * them may be about another address (a transcript goes on to the next host), so when there
     * are such lines they are the reason; null when there are none.
     */
    static String ownReplies(String text, List<Addresses.Found> all, String address, List<String> failed) {
        StringBuilder own = new StringBuilder();
        int coveredUntil = -1;
        for (Addresses.Found found : all) {
            if (!found.normalized().equals(address) || found.start() < coveredUntil) {
                continue;
            }
            int lineStart = text.lastIndexOf('\n', found.start()) + 1;
            int lineEnd = endOfLine(text, found.start());
            String line = text.substring(lineStart, lineEnd);
            if (SmtpReplies.code(line) == 0 && SmtpReplies.status(line) == null) {
                continue;
            }
            int end = lineEnd;
            while (end < text.length() && own.length() + (end - lineStart) < REASON_CHARS) {
                int next = endOfLine(text, end + 1);
                String continuation = text.substring(Math.min(end + 1, next), next);
                if (continuation.isBlank() || !Character.isWhitespace(continuation.charAt(0))
                        || namesAnother(continuation, address, failed)) {
                    break;
                }
                end = next;
            }
            own.append(text, lineStart, end).append('\n');
            coveredUntil = end;
        }
        return own.isEmpty() ? null : own.toString();
    }

    private static boolean namesAnother(String line, String address, List<String> failed) {
        for (Addresses.Found found : Addresses.findAll(line)) {
            if (!found.normalized().equals(address) && failed.contains(found.normalized())) {
                return true;
            }
        }
        return false;
    }

    private static int endOfLine(String text, int from) {
        int end = text.indexOf('\n', Math.min(from, text.length()));
        return end < 0 ? text.length() : end;
    }

    /** Where the next report about another address begins: its line, when only brackets precede it. */
    private static int startOfItsLine(String text, int addressStart) {
        int lineStart = text.lastIndexOf('\n', addressStart) + 1;
        for (int k = lineStart; k < addressStart; k++) {
            char c = text.charAt(k);
            if (!Character.isWhitespace(c) && c != '<' && c != '"' && c != '\'' && c != '(') {
                return addressStart;
            }
        }
        return lineStart;
    }

    /** Our own VERP or unsubscribe address: a plus tag long enough to be a token. */
    static boolean isOurs(String address) {
        int plus = address.indexOf('+');
        int at = address.lastIndexOf('@');
        return plus > 0 && at - plus > 20;
    }

    private static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
            starts.add(i + 1);
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }
}
