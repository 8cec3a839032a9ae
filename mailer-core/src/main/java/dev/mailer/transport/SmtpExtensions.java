package dev.mailer.transport;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What the server offered in its EHLO reply, of what this client uses.
 *
 * @param pipelining RFC 2920: MAIL, RCPT and DATA may go in one write, their replies read after
 * @param chunking   RFC 3030: BDAT, the message as it is, its length given, without a 354 to wait for
 * @param startTls   RFC 3207
 * @param smtpUtf8   RFC 6531: addresses in UTF-8
 * @param maxSize    RFC 1870: the largest message the server takes, when it says (0: no limit given)
 * @param auth       RFC 4954: the mechanisms offered, upper case; empty when AUTH is not offered
 */
record SmtpExtensions(boolean pipelining, boolean chunking, boolean startTls, boolean smtpUtf8,
                      OptionalLong maxSize, List<String> auth) {

    /** What a server that answered HELO (or an EHLO without extensions) offers: nothing. */
    static final SmtpExtensions NONE = new SmtpExtensions(false, false, false, false, OptionalLong.empty(), List.of());

    /** Reads the keywords of a 250 EHLO reply; the first line is the greeting and names no extension. */
    static SmtpExtensions parse(String ehloReply) {
        boolean pipelining = false;
        boolean chunking = false;
        boolean startTls = false;
        boolean smtpUtf8 = false;
        OptionalLong maxSize = OptionalLong.empty();
        List<String> auth = List.of();
        String[] lines = ehloReply.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].length() > 4 ? lines[i].substring(4).strip() : "";
            String[] words = line.toUpperCase(Locale.ROOT).split("[ =]+");
            switch (words[0]) {
                case "PIPELINING" -> pipelining = true;
                case "CHUNKING" -> chunking = true;
                case "STARTTLS" -> startTls = true;
                case "SMTPUTF8" -> smtpUtf8 = true;
                case "SIZE" -> {
                    // "SIZE" alone or "SIZE 0": the server names no limit
                    long size = words.length > 1 && words[1].matches("[0-9]{1,18}") ? Long.parseLong(words[1]) : 0;
                    maxSize = size > 0 ? OptionalLong.of(size) : maxSize;
                }
                case "AUTH" -> auth = List.of(words).subList(1, words.length);
                default -> { }
            }
        }
        return new SmtpExtensions(pipelining, chunking, startTls, smtpUtf8, maxSize, auth);
    }
}
