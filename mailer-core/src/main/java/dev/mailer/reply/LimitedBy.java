package dev.mailer.reply;

/**
 * Whose pace a rate limit is about (SPEC §6a): it decides what slows down. The receiving provider
 * (Gmail's 4.7.28, Yahoo's TSS04, Microsoft's 4.7.650) limits mail to its own domains, wherever it
 * comes from; the relay (Amazon SES's sending rate, "too many connections") limits everything
 * sent through it.
 */
public enum LimitedBy {
    /** Slow down on this relay, for every recipient. */
    RELAY,
    /** Slow down for this recipient domain, over every relay. */
    PROVIDER
}
