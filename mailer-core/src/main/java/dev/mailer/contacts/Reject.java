package dev.mailer.contacts;

/** A CSV row that was not imported, with the line it starts on and why. */
public record Reject(long line, String email, String reason) {
}
