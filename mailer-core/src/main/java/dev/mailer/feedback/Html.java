package dev.mailer.feedback;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough HTML-to-text for bounces that come without a plain-text part (some Exchange NDRs). */
final class Html {
    private static final String[] INVISIBLE = {"script", "style", "head"};
    private static final Pattern BREAK = Pattern.compile("(?i)<(br|/p|/div|/tr|/li|/h\\d|p|div|tr|li|hr)\\b[^>]*>");
    private static final Pattern TAG = Pattern.compile("<[^>]{0,2000}>");
    private static final Pattern NUMERIC = Pattern.compile("&#(x?)([0-9a-fA-F]{1,6});");

    private Html() {
    }

    static String toText(String html) {
        if (html == null || html.isEmpty()) {
            return "";
        }
        String text = dropInvisible(html);
        text = BREAK.matcher(text).replaceAll("\n");
        text = TAG.matcher(text).replaceAll("");
        text = text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&apos;", "'");
        text = decodeNumeric(text).replace("&amp;", "&");
        return text;
    }

    /**
     * Removes script, style and head elements. Linear: the next position of each element name is
     * looked up again only once the scan has passed it, and an unclosed element ends the text.
     */
    private static String dropInvisible(String html) {
        String lower = html.toLowerCase(java.util.Locale.ROOT);
        StringBuilder out = new StringBuilder(html.length());
        int[] next = new int[INVISIBLE.length];
        java.util.Arrays.fill(next, -2);
        int pos = 0;
        while (pos < html.length()) {
            int open = -1;
            int which = -1;
            for (int i = 0; i < INVISIBLE.length; i++) {
                if (next[i] != -1 && next[i] < pos) {
                    next[i] = lower.indexOf("<" + INVISIBLE[i], pos);
                }
                if (next[i] >= 0 && (open < 0 || next[i] < open)) {
                    open = next[i];
                    which = i;
                }
            }
            if (open < 0) {
                out.append(html, pos, html.length());
                break;
            }
            out.append(html, pos, open).append(' ');
            int close = lower.indexOf("</" + INVISIBLE[which], open);
            int end = close < 0 ? -1 : lower.indexOf('>', close);
            if (end < 0) {
                break;
            }
            pos = end + 1;
        }
        return out.toString();
    }

    private static String decodeNumeric(String text) {
        Matcher m = NUMERIC.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        do {
            int cp;
            try {
                cp = Integer.parseInt(m.group(2), m.group(1).isEmpty() ? 10 : 16);
            } catch (NumberFormatException e) {
                cp = '?';
            }
            m.appendReplacement(out, Matcher.quoteReplacement(Character.isValidCodePoint(cp)
                    ? new String(Character.toChars(cp)) : "?"));
        } while (m.find());
        m.appendTail(out);
        return out.toString();
    }
}
