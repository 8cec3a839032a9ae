package dev.mailer.contacts;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Locale;

/**
 * How to read one contacts file.
 *
 * @param source   consent source for consent rows that name none ({@code --source}); may be null
 * @param strict   any bad row aborts the import with nothing written
 * @param preset   the tool the file was exported from ({@code --preset}); may be null
 * @param map      the operator's column rules ({@code --map}, {@code --map-file})
 * @param purpose  the purpose of the file's consent columns when it has no consent_purpose column
 *                 ({@code --purpose}); may be null
 * @param timezone the zone of date-times written without an offset ({@code --timezone}); may be null
 */
public record ImportOptions(String source, boolean strict, ImportPreset preset, ColumnMap map, String purpose,
                            ZoneId timezone) {
    public ImportOptions {
        map = map == null ? ColumnMap.NONE : map;
        if (purpose != null) {
            String p = purpose.strip().toLowerCase(Locale.ROOT);
            if (!RowParser.PURPOSE.matcher(p).matches()) {
                throw MailerException.of(ErrorKind.USAGE, "Bad --purpose '" + purpose
                        + "' (lower-case letters, digits, '.', '_' and '-', up to 64).");
            }
            purpose = p;
        }
    }

    /** A file in mailer's own columns. */
    public static ImportOptions of(String source, boolean strict) {
        return new ImportOptions(source, strict, null, ColumnMap.NONE, null, null);
    }

    /** The zone named after {@code --timezone} (an IANA name such as Europe/Warsaw, or UTC, +02:00). */
    public static ZoneId zone(String name) {
        try {
            return ZoneId.of(name.strip());
        } catch (DateTimeException e) {
            throw MailerException.of(ErrorKind.USAGE, "Unknown time zone '" + name
                    + "' for --timezone (expected an IANA name such as Europe/Warsaw, or UTC).");
        }
    }
}
