package dev.mailer.template;

/**
 * Text that goes into a header (subject, display names): one line, no control characters, so
 * that no data can end a header and start another ({@code "\r\nBcc: …"}).
 */
public final class HeaderText {
    /** Longer subjects or names are cut: nobody reads them and some servers refuse them. */
    public static final int MAX_LENGTH = 250;

    private HeaderText() {
    }

    public static String clean(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH));
        boolean space = false;
        for (int i = 0; i < text.length() && out.length() < MAX_LENGTH; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean blank = Character.isWhitespace(cp) || Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029
                    || Character.getType(cp) == Character.FORMAT && cp != 0x200D;
            if (blank) {
                space = out.length() > 0;
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }
}
