package dev.mailer.contacts;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The header of a contacts CSV: where each known column is, and which columns are contact
 * attributes. Known names are matched case-insensitively; attribute names are kept as written.
 */
final class CsvColumns {
    static final String EMAIL = "email";
    static final String NAME = "name";
    static final String LOCALE = "locale";
    static final String TAGS = "tags";
    static final String BIRTH_DATE = "birth_date";
    static final String PURPOSE = "consent_purpose";
    static final String STATUS = "consent_status";
    static final String CONSENT_AT = "consent_at";
    static final String SOURCE = "consent_source";
    static final String IP = "consent_ip";
    static final String TEXT = "consent_text";
    static final String CONFIRMED_AT = "confirmed_at";
    static final String LAWFUL_BASIS = "lawful_basis";
    static final String PARENTAL = "parental_consent";

    /**
     * Mailer's own columns in the order SPEC §3 lists them. Lists, not sets: whatever is checked or
     * printed column by column goes in this order on every run ({@code Set.of} iterates in an order
     * that changes from one JVM to the next, which made a row's reject reason change between runs).
     */
    static final List<String> KNOWN = List.of(EMAIL, NAME, LOCALE, TAGS, BIRTH_DATE, PURPOSE, STATUS, CONSENT_AT,
            SOURCE, IP, TEXT, CONFIRMED_AT, LAWFUL_BASIS, PARENTAL);
    /** The consent columns, in the order they are checked. */
    static final List<String> CONSENT = List.of(PURPOSE, STATUS, CONSENT_AT, SOURCE, IP, TEXT, CONFIRMED_AT,
            LAWFUL_BASIS, PARENTAL);
    static final int MAX_ATTRIBUTE_NAME = 100;

    private final Map<String, Integer> known = new HashMap<>();
    private final List<String> attributeNames = new ArrayList<>();
    private final List<Integer> attributeIndexes = new ArrayList<>();
    private final int size;

    CsvColumns(List<String> header, String fileName) {
        this.size = header.size();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String raw = name(header, i, fileName);
            String lower = raw.toLowerCase(Locale.ROOT);
            String key = KNOWN.contains(lower) ? lower : raw;
            if (seen.putIfAbsent(key, i) != null) {
                throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line 1: column '" + raw + "' appears twice in the header.");
            }
            if (KNOWN.contains(lower)) {
                known.put(lower, i);
            } else {
                attributeNames.add(raw);
                attributeIndexes.add(i);
            }
        }
        if (!known.containsKey(EMAIL)) {
            throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line 1: the header has no 'email' column (found: "
                    + String.join(", ", header) + "); name the address column with --map 'COLUMN=email', or read"
                    + " an export of Mailchimp or listmonk with --preset mailchimp|listmonk.");
        }
    }

    /** The name of header column {@code i} as written (trimmed), or one sentence why it is no usable name. */
    static String name(List<String> header, int i, String fileName) {
        String raw = header.get(i).strip();
        if (i == 0 && raw.startsWith("\uFEFF")) {
            raw = raw.substring(1).strip();
        }
        if (raw.isEmpty()) {
            throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line 1: header column " + (i + 1) + " has no name.");
        }
        if (raw.indexOf('\uFFFD') >= 0 || raw.length() > MAX_ATTRIBUTE_NAME || raw.chars().anyMatch(Character::isISOControl)) {
            throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line 1: header column " + (i + 1)
                    + " is not a usable column name (invalid UTF-8, control characters or over "
                    + MAX_ATTRIBUTE_NAME + " characters).");
        }
        return raw;
    }

    int size() {
        return size;
    }

    boolean has(String column) {
        return known.containsKey(column);
    }

    boolean hasConsentColumns() {
        return CONSENT.stream().anyMatch(known::containsKey);
    }

    /** Index of a known column, or -1. */
    int index(String column) {
        return known.getOrDefault(column, -1);
    }

    List<String> attributeNames() {
        return attributeNames;
    }

    List<Integer> attributeIndexes() {
        return attributeIndexes;
    }
}
