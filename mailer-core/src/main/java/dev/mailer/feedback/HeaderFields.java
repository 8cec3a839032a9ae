package dev.mailer.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fields of a message/delivery-status or message/feedback-report body: "Name: value" lines,
 * continuation lines folded in, and blank lines that separate groups (RFC 3464 §2.1). Lenient:
 * lines that are not fields are skipped, and whitespace-only lines count as blank.
 */
final class HeaderFields {

    /** One field; {@code name} lower case, {@code value} unfolded and trimmed. */
    record Field(String name, String value, int group) {
    }

    private HeaderFields() {
    }

    /** Every field in order; {@link Field#group()} counts the blank-line separated groups. */
    static List<Field> parse(String text) {
        List<Field> fields = new ArrayList<>();
        if (text == null) {
            return fields;
        }
        int group = 0;
        boolean groupHasFields = false;
        String name = null;
        StringBuilder value = new StringBuilder();
        for (String line : text.split("\r?\n", -1)) {
            if (line.isBlank()) {
                if (name != null) {
                    fields.add(new Field(name, clean(value), group));
                    name = null;
                }
                if (groupHasFields) {
                    group++;
                    groupHasFields = false;
                }
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                value.append(' ').append(line.strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (name != null) {
                fields.add(new Field(name, clean(value), group));
                name = null;
            }
            if (colon > 0 && isFieldName(line, colon)) {
                name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                value.setLength(0);
                value.append(line, colon + 1, line.length());
                groupHasFields = true;
            }
        }
        if (name != null) {
            fields.add(new Field(name, clean(value), group));
        }
        return fields;
    }

    /** The first value of the named field (lower-case name), or null. */
    static String first(List<Field> fields, String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f.value();
            }
        }
        return null;
    }

    private static boolean isFieldName(String line, int colon) {
        for (int i = 0; i < colon; i++) {
            char c = line.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == ' ' && i == colon - 1)) {
                return false;
            }
        }
        return true;
    }

    private static String clean(StringBuilder value) {
        return value.toString().strip().replaceAll("\\s{2,}", " ");
    }
}
