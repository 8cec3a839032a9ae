package dev.mailer.message;

/**
 * A message ready for SMTP: the envelope (VERP sender, recipient) and the exact bytes.
 *
 * @param envelopeFrom the SMTP MAIL FROM, {@code bounces+TOKEN@domain}, which maps a bounce back
 */
public record OutgoingMessage(long contactId, String envelopeFrom, String recipient, String messageId, byte[] bytes) {
}
