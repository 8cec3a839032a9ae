package dev.mailer.contacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The date-time forms a contacts file may use (consent_at, confirmed_at), with and without --timezone. */
class DateTimesTest {
    private static final ZoneId WARSAW = ZoneId.of("Europe/Warsaw");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "2025-03-01T10:15:00Z                      | 2025-03-01T10:15Z",
            "2025-03-01T10:15:00+01:00                 | 2025-03-01T09:15Z",
            "2025-03-01T10:15:00.250-05:00             | 2025-03-01T15:15:00.250Z",
            "2025-03-01T10:15Z                         | 2025-03-01T10:15Z",
            "2025-03-01 10:15:00+01:00                 | 2025-03-01T09:15Z",
            "2025-03-01 10:15:00 +0100                 | 2025-03-01T09:15Z",
            "2025-03-01 10:15:00 UTC                   | 2025-03-01T10:15Z",
            "2025-06-01 12:00:00.123456 +0200 CEST     | 2025-06-01T10:00:00.123456Z",
            "2024-01-10 09:00:00 +0000 UTC             | 2024-01-10T09:00Z",
            "2024-01-10 09:00:00 +0530 IST             | 2024-01-10T03:30Z"})
    void withAnOffsetTheZoneIsNotNeeded(String text, String utc) throws Exception {
        OffsetDateTime parsed = DateTimes.parse("consent_at", text, null);
        assertThat(parsed.toInstant()).isEqualTo(OffsetDateTime.parse(utc).toInstant());
        assertThat(DateTimes.parse("consent_at", text, WARSAW).toInstant()).isEqualTo(parsed.toInstant());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "2025-06-01 12:00:00 | 2025-06-01T10:00Z",   // summer: +02:00
            "2025-01-15 09:30:00 | 2025-01-15T08:30Z",   // winter: +01:00
            "2025-01-15T09:30    | 2025-01-15T08:30Z",
            "2025-10-26 02:30:00 | 2025-10-26T00:30Z"})  // the hour that happens twice: the earlier one
    void withoutAnOffsetTheGivenZoneDecides(String text, String utc) throws Exception {
        assertThat(DateTimes.parse("consent_at", text, WARSAW).toInstant())
                .isEqualTo(OffsetDateTime.parse(utc).toInstant());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-06-01 12:00:00", "2025-06-01T12:00:00", "2025-06-01 12:00"})
    void withoutAnOffsetOrAZoneTheReasonNamesTheFix(String text) {
        assertThatThrownBy(() -> DateTimes.parse("consent_at", text, null))
                .isInstanceOf(RowParser.BadRow.class)
                .hasMessage("consent_at '" + text + "' has no time zone: give --timezone ZONE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-03-01", "yesterday", "2025-02-30 10:00:00Z", "2025-03-01T25:00:00Z",
            "2025-03-01T10:00:00+19:00", "01.03.2025 10:00", "2025-03-01T10:00:00 CET", ""})
    void anythingElseIsABadDateTime(String text) {
        assertThatThrownBy(() -> DateTimes.parse("confirmed_at", text, WARSAW))
                .isInstanceOf(RowParser.BadRow.class)
                .hasMessage("bad confirmed_at '" + text + "' (expected an ISO-8601 date-time with offset, e.g. "
                        + "2025-03-01T10:15:00Z)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-03-30 02:30:00", "2025-03-30T02:00"})
    void aTimeTheClocksSkippedIsRefused(String text) {
        assertThatThrownBy(() -> DateTimes.parse("consent_at", text, WARSAW))
                .isInstanceOf(RowParser.BadRow.class)
                .hasMessage("consent_at '" + text + "' does not exist in Europe/Warsaw (the clocks were put forward"
                        + " over it)");
    }
}
