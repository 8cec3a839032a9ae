package dev.mailer.template;

/** One recipient's message as rendered from the campaign's templates, before MIME. */
public record RenderedMessage(String subject, String html, String text) {
}
