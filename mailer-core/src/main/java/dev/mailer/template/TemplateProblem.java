package dev.mailer.template;

/**
 * A template that cannot be used: a syntax error, or a failure while rendering for one recipient.
 * The message names the file and line and is the same for every recipient that hits it, so that
 * failures can be counted per message.
 */
public final class TemplateProblem extends Exception {
    private final String code;

    public TemplateProblem(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** {@code template_syntax}, {@code template_render}, {@code template_missing} or {@code template_unsubscribe}. */
    public String code() {
        return code;
    }
}
