package dev.mailer.template;

/**
 * A template that cannot be used: a syntax error, or a failure while rendering for one recipient.
 * The message names the file and line and is the same for every recipient that hits it, so that
 * failures can be counted per message.
 */
public final class TemplateProblem extends Exception {
    private final String code;
    private final boolean fatal;

    public TemplateProblem(String code, String message) {
        this(code, message, false);
    }

    /**
     * @param fatal the template itself cannot be rendered, whoever it is for (it recursed without end,
     *              grew past the size cap, exhausted memory): a send stops rather than trying the rest
     */
    public TemplateProblem(String code, String message, boolean fatal) {
        super(message, null, false, false);
        this.code = code;
        this.fatal = fatal;
    }

    /** {@code template_syntax}, {@code template_render}, {@code template_missing} or {@code template_unsubscribe}. */
    public String code() {
        return code;
    }

    /** Whether rendering for anyone else is pointless until the template is fixed. */
    public boolean fatal() {
        return fatal;
    }
}
