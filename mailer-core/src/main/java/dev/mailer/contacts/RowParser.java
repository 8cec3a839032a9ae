package dev.mailer.contacts;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the fields of one CSV record into an {@link ImportRow}, or says in a few words why the
 * row is bad. The same rules apply to every source of contacts.
 *
 * <p>A row has one reject reason, the first check that fails in this fixed order (README,
 * "Reject reasons"): the number of fields; each field from left to right (length, UTF-8, NUL);
 * what a preset reads from its own columns ({@link ImportPreset}); the e-mail address; name; locale;
 * tags; birth_date; the consent columns (a value without a purpose, in {@link CsvColumns#CONSENT}
 * order; status; purpose; consent_at; confirmed_at; consent_ip; lawful_basis; parental_consent).
 * Erased addresses are refused afterwards, by the store.
 */
final class RowParser {
    static final int MAX_FIELD = 10_000;
    private static final int MAX_TAG = 100;
    static final Pattern PURPOSE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Pattern IP = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final CsvColumns columns;
    private final String defaultSource;
    private final String defaultPurpose;
    private final ZoneId zone;

    /**
     * @param defaultPurpose the purpose of rows that have consent values but no consent_purpose
     *                       ({@code --purpose}); may be null
     * @param zone           the zone of date-times written without an offset ({@code --timezone}); may be null
     */
    RowParser(CsvColumns columns, String defaultSource, String defaultPurpose, ZoneId zone) {
        this.columns = columns;
        this.defaultSource = defaultSource;
        this.defaultPurpose = defaultPurpose;
        this.zone = zone;
    }

    /** Thrown for a bad row; the message is the reject reason. */
    static final class BadRow extends Exception {
        BadRow(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The first checks of every row: as many fields as the header, each of them readable. */
    static void checkFields(List<String> fields, int headerSize) throws BadRow {
        if (fields.size() != headerSize) {
            throw new BadRow("has " + fields.size() + " fields where the header has " + headerSize);
        }
        for (int i = 0; i < fields.size(); i++) {
            String value = fields.get(i);
            if (value.length() > MAX_FIELD) {
                throw new BadRow("a field is longer than " + MAX_FIELD + " characters");
            }
            if (value.indexOf('\uFFFD') >= 0) {
                throw new BadRow("not valid UTF-8");
            }
            if (value.indexOf('\0') >= 0) {
                throw new BadRow("contains a NUL character");
            }
        }
    }

    ImportRow parse(long line, List<String> fields) throws BadRow {
        return parse(line, fields, Map.of());
    }

    /** @param extraAttributes attributes a preset read from the row (listmonk's attributes JSON) */
    ImportRow parse(long line, List<String> fields, Map<String, String> extraAttributes) throws BadRow {
        checkFields(fields, columns.size());
        String rawEmail = get(fields, CsvColumns.EMAIL);
        EmailAddress email = EmailAddress.parse(rawEmail == null ? "" : rawEmail)
                .orElseThrow(() -> new BadRow(rawEmail == null || rawEmail.isBlank()
                        ? "e-mail address is missing" : "invalid e-mail address"));
        String name = contactText(fields, CsvColumns.NAME);
        if (name != null && name.chars().anyMatch(Character::isISOControl)) {
            throw new BadRow("name contains control characters (line breaks or similar)");
        }
        return new ImportRow(line, email, name, locale(fields), tags(fields), birthDate(fields),
                attributes(fields, extraAttributes), consent(fields));
    }

    private String get(List<String> fields, String column) {
        int index = columns.index(column);
        return index < 0 ? null : fields.get(index);
    }

    /** A value that is null when blank. */
    private String text(List<String> fields, String column) {
        String value = get(fields, column);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** Like text(), but "" (not null) when the column exists, so an empty cell clears the field. */
    private String contactText(List<String> fields, String column) {
        if (!columns.has(column)) {
            return null;
        }
        String value = text(fields, column);
        return value == null ? "" : value;
    }

    private String locale(List<String> fields) throws BadRow {
        String value = contactText(fields, CsvColumns.LOCALE);
        if (value == null || value.isEmpty()) {
            return value;
        }
        String tag = value.replace('_', '-');
        Locale locale = Locale.forLanguageTag(tag);
        if (locale.getLanguage().isEmpty() || !locale.toLanguageTag().equalsIgnoreCase(tag)) {
            throw new BadRow("invalid locale '" + abbreviate(value) + "' (expected a BCP 47 tag such as pl, sr-Latn or en)");
        }
        return locale.toLanguageTag();
    }

    private List<String> tags(List<String> fields) throws BadRow {
        if (!columns.has(CsvColumns.TAGS)) {
            return null;
        }
        String value = get(fields, CsvColumns.TAGS);
        Set<String> tags = new LinkedHashSet<>();
        for (String tag : value.split(";")) {
            String t = tag.strip();
            if (t.isEmpty()) {
                continue;
            }
            if (t.length() > MAX_TAG || t.chars().anyMatch(Character::isISOControl)) {
                throw new BadRow("tag '" + abbreviate(t) + "' is too long or contains control characters");
            }
            tags.add(t);
        }
        return new ArrayList<>(tags);
    }

    private LocalDate birthDate(List<String> fields) throws BadRow {
        String value = text(fields, CsvColumns.BIRTH_DATE);
        if (value == null) {
            return null;
        }
        try {
            LocalDate date = LocalDate.parse(value);
            if (date.isAfter(LocalDate.now().plusDays(1)) || date.getYear() < 1880) {
                throw new BadRow("birth_date '" + value + "' is not a plausible birth date");
            }
            return date;
        } catch (DateTimeParseException e) {
            throw new BadRow("bad birth_date '" + abbreviate(value) + "' (expected YYYY-MM-DD)");
        }
    }

    private Map<String, String> attributes(List<String> fields, Map<String, String> extra) {
        Map<String, String> attributes = new LinkedHashMap<>();
        extra.forEach(attributes::put); // a column of the file wins over a preset's attribute of the same name
        List<String> names = columns.attributeNames();
        List<Integer> indexes = columns.attributeIndexes();
        for (int i = 0; i < names.size(); i++) {
            String value = fields.get(indexes.get(i)).strip();
            if (!value.isEmpty()) {
                attributes.put(names.get(i), value);
            }
        }
        return attributes;
    }

    private ConsentStatement consent(List<String> fields) throws BadRow {
        String purpose = text(fields, CsvColumns.PURPOSE);
        String status = text(fields, CsvColumns.STATUS);
        if (purpose == null && defaultPurpose != null && hasConsentValue(fields)) {
            purpose = defaultPurpose;
        }
        if (purpose == null) {
            if (status != null) {
                throw new BadRow("consent_status given without consent_purpose");
            }
            for (String column : CsvColumns.CONSENT) { // a list: the same column is named on every run
                if (text(fields, column) != null) {
                    throw new BadRow(column + " given without consent_purpose");
                }
            }
            return null;
        }
        purpose = purpose.toLowerCase(Locale.ROOT);
        status = status == null ? ConsentStatement.GRANTED : status.toLowerCase(Locale.ROOT);
        if (!status.equals(ConsentStatement.GRANTED) && !status.equals(ConsentStatement.WITHDRAWN)) {
            throw new BadRow("unknown consent_status '" + abbreviate(text(fields, CsvColumns.STATUS))
                    + "' (expected granted or withdrawn)");
        }
        if (purpose.equals(ConsentStatement.ALL_PURPOSES)) {
            if (status.equals(ConsentStatement.GRANTED)) {
                throw new BadRow("consent_purpose '*' (everything) can only be withdrawn");
            }
        } else if (!PURPOSE.matcher(purpose).matches()) {
            throw new BadRow("bad consent_purpose '" + abbreviate(purpose)
                    + "' (lower-case letters, digits, '.', '_' and '-', up to 64)");
        }
        OffsetDateTime consentAt = dateTime(fields, CsvColumns.CONSENT_AT);
        OffsetDateTime confirmedAt = dateTime(fields, CsvColumns.CONFIRMED_AT);
        String ip = text(fields, CsvColumns.IP);
        if (ip != null && !IP.matcher(ip).matches()) {
            throw new BadRow("bad consent_ip '" + abbreviate(ip) + "' (expected an IPv4 or IPv6 address)");
        }
        String basis = text(fields, CsvColumns.LAWFUL_BASIS);
        basis = basis == null ? ConsentStatement.BASIS_CONSENT : basis.toLowerCase(Locale.ROOT);
        if (!basis.equals(ConsentStatement.BASIS_CONSENT) && !basis.equals(ConsentStatement.BASIS_EXISTING_CUSTOMER)) {
            throw new BadRow("unknown lawful_basis '" + abbreviate(basis) + "' (expected consent or existing_customer)");
        }
        String parental = text(fields, CsvColumns.PARENTAL);
        boolean parentalConsent = false;
        if (parental != null) {
            switch (parental.toLowerCase(Locale.ROOT)) {
                case "true" -> parentalConsent = true;
                case "false" -> parentalConsent = false;
                default -> throw new BadRow("bad parental_consent '" + abbreviate(parental) + "' (expected true or false)");
            }
        }
        String source = text(fields, CsvColumns.SOURCE);
        return new ConsentStatement(purpose, status, consentAt, source == null ? defaultSource : source, ip,
                text(fields, CsvColumns.TEXT), confirmedAt, basis, parentalConsent);
    }

    /** Whether any consent column but the purpose has a value. */
    private boolean hasConsentValue(List<String> fields) {
        for (String column : CsvColumns.CONSENT) {
            if (!column.equals(CsvColumns.PURPOSE) && text(fields, column) != null) {
                return true;
            }
        }
        return false;
    }

    private OffsetDateTime dateTime(List<String> fields, String column) throws BadRow {
        String value = text(fields, column);
        if (value == null) {
            return null;
        }
        OffsetDateTime time = DateTimes.parse(column, value, zone);
        if (time.isAfter(OffsetDateTime.now().plusDays(1))) {
            throw new BadRow(column + " '" + value + "' is in the future");
        }
        return time;
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }
}
