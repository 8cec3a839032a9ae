package dev.mailer.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RateTest {

    @ParameterizedTest
    @CsvSource({
            "3000/min, 3000, PT1M, 3000/min",
            "50/s,     50,   PT1S, 50/s",
            "50/sec,   50,   PT1S, 50/s",
            "10000/h,  10000, PT1H, 10000/h",
            "1/h,      1,    PT1H, 1/h",
            "10000000/s, 10000000, PT1S, 10000000/s",
            "'  600 / MIN ', 600, PT1M, 600/min",
    })
    void parsesTheWrittenForms(String text, long permits, String per, String canonical) {
        Rate rate = Rate.parse(text);
        assertThat(rate.permits()).isEqualTo(permits);
        assertThat(rate.per()).isEqualTo(Duration.parse(per));
        assertThat(rate).hasToString(canonical);
        assertThat(Rate.parse(rate.toString())).isEqualTo(rate);
    }

    @Test
    void perSecond() {
        assertThat(Rate.parse("3000/min").perSecond()).isCloseTo(50.0, within(1e-9));
        assertThat(Rate.parse("50/s").perSecond()).isCloseTo(50.0, within(1e-9));
        assertThat(Rate.parse("3600/h").perSecond()).isCloseTo(1.0, within(1e-9));
        assertThat(new Rate(1, Duration.ofMillis(500)).perSecond()).isCloseTo(2.0, within(1e-9));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fast", "", "3000", "3000/m", "3000/day", "3000/minute", "/min", "-5/s", "1.5/s",
            "3 000/min", "3000/min/s", "99999999999999999999/s"})
    void refusesWhatIsNotARate(String text) {
        assertThatThrownBy(() -> Rate.parse(text))
                .isInstanceOfSatisfying(MailerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE))
                .hasMessage("A rate must look like 3000/min, 50/s or 10000/h, not '" + text + "'.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0/min", "10000001/s", "9223372036854775807/h"})
    void refusesNumbersOutOfRange(String text) {
        assertThatThrownBy(() -> Rate.parse(text))
                .isInstanceOf(MailerException.class)
                .hasMessage("A rate must have a whole number from 1 to 10000000 before the '/', not '" + text + "'.");
    }

    @Test
    void nullIsNotARate() {
        assertThatThrownBy(() -> Rate.parse((String) null)).isInstanceOf(MailerException.class);
    }

    @Test
    void constructorGuardsItsInvariants() {
        assertThatThrownBy(() -> new Rate(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rate(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rate(1, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rate(1, null)).isInstanceOf(NullPointerException.class);
        assertThat(new Rate(5, Duration.ofSeconds(10))).hasToString("5 per PT10S");
    }
}
