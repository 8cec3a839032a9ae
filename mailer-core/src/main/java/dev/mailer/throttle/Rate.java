package dev.mailer.throttle;

import dev.mailer.error.MailerException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throttle: at most {@code permits} messages per {@code per}, written {@code 3000/min},
 * {@code 50/s} (or {@code 50/sec}) or {@code 10000/h}.
 *
 * <p>Kept as the pair the user wrote rather than as a per-second double so that
 * {@link #toString()} gives back what they wrote and a limiter can hand out whole permits per
 * period without rounding.
 */
public record Rate(long permits, Duration per) {

    /** Far above any relay's real limit; a larger number is a typo (an extra zero or two). */
    public static final long MAX_PERMITS = 10_000_000L;

    static final String SYNTAX_PHRASE = "look like 3000/min, 50/s or 10000/h";
    static final String RANGE_PHRASE = "have a whole number from 1 to " + MAX_PERMITS + " before the '/'";

    private static final Pattern SYNTAX =
            Pattern.compile("([0-9]{1,19})\\s*/\\s*(s|sec|min|h)", Pattern.CASE_INSENSITIVE);

    public Rate {
        Objects.requireNonNull(per, "per");
        if (permits < 1 || permits > MAX_PERMITS) {
            throw new IllegalArgumentException("permits must be 1.." + MAX_PERMITS + ": " + permits);
        }
        if (per.isZero() || per.isNegative()) {
            throw new IllegalArgumentException("per must be positive: " + per);
        }
    }

    /**
     * Parses {@code N/s}, {@code N/sec}, {@code N/min} or {@code N/h}, N from 1 to 10,000,000.
     *
     * @throws MailerException (usage) naming the text when it is not a rate
     */
    public static Rate parse(String text) {
        return tryParse(text).orElseThrow(() -> MailerException.usage("A rate must " + problem(text) + ", not '"
                + text + "'."));
    }

    /** What a text that is not a rate gets wrong, as "must …" would end: its form or its number. */
    public static String problem(String text) {
        return text != null && SYNTAX.matcher(text.strip()).matches() ? RANGE_PHRASE : SYNTAX_PHRASE;
    }

    /** Parses {@code N/s}, {@code N/min} or {@code N/h}; empty when the text is not such a rate. */
    public static Optional<Rate> tryParse(String text) {
        return Optional.ofNullable(parseOrNull(text));
    }

    private static Rate parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = SYNTAX.matcher(text.strip());
        if (!m.matches()) {
            return null;
        }
        long permits;
        try {
            permits = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null; // more digits than a long holds: certainly out of range
        }
        if (permits < 1 || permits > MAX_PERMITS) {
            return null;
        }
        Duration per = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "s", "sec" -> Duration.ofSeconds(1);
            case "min" -> Duration.ofMinutes(1);
            default -> Duration.ofHours(1);
        };
        return new Rate(permits, per);
    }

    /** Messages per second, for limiters that think in rates rather than periods. */
    public double perSecond() {
        double seconds = per.getSeconds() + per.getNano() / 1e9;
        return permits / seconds;
    }

    /** The canonical written form, e.g. {@code 3000/min}; {@code 50/sec} comes back as {@code 50/s}. */
    @Override
    public String toString() {
        if (per.equals(Duration.ofSeconds(1))) {
            return permits + "/s";
        }
        if (per.equals(Duration.ofMinutes(1))) {
            return permits + "/min";
        }
        if (per.equals(Duration.ofHours(1))) {
            return permits + "/h";
        }
        return permits + " per " + per;
    }
}
