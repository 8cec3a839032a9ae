package dev.mailer.contacts;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The date-times of a contacts file (consent_at, confirmed_at). Accepted: ISO-8601 with an offset
 * ({@code 2025-03-01T10:15:00Z}, {@code 2025-03-01T10:15:00+01:00}), also with a space for the T
 * ({@code 2025-03-01 10:15:00+01:00}) and in the form Go programs such as listmonk print
 * ({@code 2025-03-01 10:15:00.123456 +0000 UTC}). A date-time without an offset
 * ({@code 2025-06-01 12:00:00}, as Mailchimp writes them) is read in the zone given with
 * {@code --timezone}; without one it is refused, naming the fix.
 */
final class DateTimes {
    private static final Pattern FORM = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?"
                    + "(?:\\s?(?:([Zz])|([+-])(\\d{2})(?::?(\\d{2}))?)(?:\\s+[A-Za-z][A-Za-z0-9_+-]{0,15})?"
                    + "|\\s+(UTC|GMT))?");

    private DateTimes() {
    }

    /** @param zone for date-times without an offset; null when none was given */
    static OffsetDateTime parse(String column, String value, ZoneId zone) throws RowParser.BadRow {
        Matcher m = FORM.matcher(value);
        if (!m.matches()) {
            throw bad(column, value);
        }
        LocalDateTime local;
        try {
            int nanos = 0;
            if (m.group(7) != null) {
                nanos = Integer.parseInt((m.group(7) + "00000000").substring(0, 9));
            }
            local = LocalDateTime.of(LocalDate.of(num(m, 1), num(m, 2), num(m, 3)),
                    LocalTime.of(num(m, 4), num(m, 5), m.group(6) == null ? 0 : num(m, 6), nanos));
        } catch (DateTimeException e) {
            throw bad(column, value);
        }
        if (m.group(8) != null || m.group(12) != null) {
            return local.atOffset(ZoneOffset.UTC);
        }
        if (m.group(9) != null) {
            int sign = m.group(9).equals("-") ? -1 : 1;
            try {
                ZoneOffset offset = ZoneOffset.ofHoursMinutes(sign * num(m, 10),
                        m.group(11) == null ? 0 : sign * num(m, 11));
                return local.atOffset(offset);
            } catch (DateTimeException e) {
                throw bad(column, value);
            }
        }
        if (zone == null) {
            throw new RowParser.BadRow(column + " '" + abbreviate(value) + "' has no time zone: give --timezone ZONE");
        }
        if (zone.getRules().getValidOffsets(local).isEmpty()) {
            throw new RowParser.BadRow(column + " '" + abbreviate(value) + "' does not exist in " + zone
                    + " (the clocks were put forward over it)");
        }
        // in the hour that happens twice when the clocks go back, the earlier of the two
        return ZonedDateTime.ofLocal(local, zone, null).toOffsetDateTime();
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }

    private static RowParser.BadRow bad(String column, String value) {
        return new RowParser.BadRow("bad " + column + " '" + abbreviate(value)
                + "' (expected an ISO-8601 date-time with offset, e.g. 2025-03-01T10:15:00Z)");
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }
}
