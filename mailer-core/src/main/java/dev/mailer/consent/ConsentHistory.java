package dev.mailer.consent;

import java.util.List;

/** {@code consent show}: the contact (null when unknown) and its whole consent history, oldest first. */
public record ConsentHistory(String email, Contact contact, List<ConsentRecord> records) {
}
