package dev.mailer.i18n;

import freemarker.template.utility.StringUtil;

/** Escaping for text put into HTML element content and double-quoted attribute values. */
public final class Html {
    private Html() {
    }

    /** FreeMarker's XHTML escaping (the same the templates get); null is the empty text. */
    public static String escape(String text) {
        return text == null ? "" : StringUtil.XHTMLEnc(text);
    }
}
