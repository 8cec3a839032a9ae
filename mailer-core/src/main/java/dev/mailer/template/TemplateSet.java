package dev.mailer.template;

import freemarker.cache.FileTemplateLoader;
import freemarker.core.ArithmeticEngine;
import freemarker.core.InvalidReferenceException;
import freemarker.core.ParseException;
import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.DefaultObjectWrapperBuilder;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A campaign's templates ({@code templates/NAME/}: subject.ftl, html.ftlh, text.ftl and their
 * locale variants), parsed once and rendered per recipient from any number of threads.
 * HTML output is auto-escaped ({@code .ftlh}); a missing value is an error unless the template
 * says {@code !} or {@code ??}; templates cannot reach Java classes. Plain-text templates may use
 * {@code ${wrap(text)}} to break a paragraph at 72 columns.
 */
public final class TemplateSet {
    public static final String SUBJECT = "subject.ftl";
    public static final String HTML = "html.ftlh";
    public static final String TEXT = "text.ftl";
    /** The largest message (subject, HTML and text together, UTF-8 bytes) rendered unless configured. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 10L * 1024 * 1024;

    private final String name;
    private final Configuration configuration;
    private final Template subjectOverride;
    private final long maxMessageBytes;
    private final Map<Locale, Variant> variants = new ConcurrentHashMap<>();

    private record Variant(Template subject, Template html, Template text) {
    }

    private TemplateSet(String name, Configuration configuration, Template subjectOverride, long maxMessageBytes) {
        this.name = name;
        this.configuration = configuration;
        this.subjectOverride = subjectOverride;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Loads and syntax-checks every template file of {@code templatesDir/name}.
     *
     * @param subject the campaign file's {@code subject}, or null to use {@code subject.ftl}
     */
    public static TemplateSet load(Path templatesDir, String name, String subject) throws TemplateProblem {
        return load(templatesDir, name, subject, DEFAULT_MAX_MESSAGE_BYTES);
    }

    /**
     * Loads and syntax-checks every template file of {@code templatesDir/name}.
     *
     * @param subject         the campaign file's {@code subject}, or null to use {@code subject.ftl}
     * @param maxMessageBytes the most one recipient's message may come to while it is rendered (subject,
     *                        HTML and text, UTF-8 bytes): rendering stops there ({@code max-message-size})
     */
    public static TemplateSet load(Path templatesDir, String name, String subject, long maxMessageBytes)
            throws TemplateProblem {
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be positive: " + maxMessageBytes);
        }
        Path dir = templatesDir.resolve(name);
        String shown = templatesDir.getFileName() + "/" + name;
        if (!Files.isDirectory(dir)) {
            throw new TemplateProblem("template_missing", "The template folder " + dir + " does not exist"
                    + " (set --templates DIR or 'templates' in mailer.yaml if the templates live elsewhere).");
        }
        for (String required : subject == null ? List.of(SUBJECT, HTML, TEXT) : List.of(HTML, TEXT)) {
            if (!Files.isRegularFile(dir.resolve(required))) {
                throw new TemplateProblem("template_missing", shown + " has no " + required
                        + (required.equals(SUBJECT) ? " and the campaign file sets no 'subject'" : "")
                        + "; it is needed as the fallback for every locale.");
            }
        }
        Configuration configuration = configuration(dir);
        TemplateSet set;
        try {
            set = new TemplateSet(shown, configuration, subject == null ? null
                    : new Template("subject", new StringReader(subject), configuration), maxMessageBytes);
        } catch (ParseException e) {
            throw new TemplateProblem("template_syntax", "The campaign file's 'subject' is not a valid template: "
                    + e.getEditorMessage() + ".");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        set.checkSyntax(dir);
        return set;
    }

    private static Configuration configuration(Path dir) {
        Configuration configuration = new Configuration(Configuration.VERSION_2_3_34);
        try {
            configuration.setTemplateLoader(new FileTemplateLoader(dir.toFile()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        configuration.setTemplateLookupStrategy(LocaleLookup.INSTANCE);
        configuration.setDefaultEncoding("UTF-8");
        configuration.setRecognizeStandardFileExtensions(true);
        configuration.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        configuration.setAttemptExceptionReporter((e, env) -> { });
        configuration.setLogTemplateExceptions(false);
        configuration.setWrapUncheckedExceptions(true);
        configuration.setFallbackOnNullLoopVariable(false);
        // data is data: no ?new, no ?api, no reaching into Java from a template
        configuration.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
        configuration.setAPIBuiltinEnabled(false);
        configuration.setObjectWrapper(new DefaultObjectWrapperBuilder(Configuration.VERSION_2_3_34).build());
        configuration.setTemplateUpdateDelayMilliseconds(Long.MAX_VALUE);
        configuration.setSharedVariable("wrap", new TextWrap());
        configuration.setDateFormat("long");
        // int arithmetic where it fits: the default BigDecimal engine was the hottest spot of rendering
        configuration.setArithmeticEngine(ArithmeticEngine.CONSERVATIVE_ENGINE);
        return configuration;
    }

    /** Parses every template file now, so that a syntax error in any locale variant shows before sending. */
    private void checkSyntax(Path dir) throws TemplateProblem {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".ftl") || p.toString().endsWith(".ftlh")).sorted().toList();
        } catch (IOException e) {
            throw new TemplateProblem("template_missing", "Cannot read " + dir + ": " + e.getMessage() + ".");
        }
        for (Path file : files) {
            try {
                configuration.getTemplate(file.getFileName().toString(), Locale.ROOT);
            } catch (ParseException e) {
                throw new TemplateProblem("template_syntax", name + "/" + file.getFileName() + " line "
                        + e.getLineNumber() + ": " + oneLine(e.getEditorMessage()) + ".");
            } catch (IOException e) {
                throw new TemplateProblem("template_missing", "Cannot read " + file + ": " + e.getMessage() + ".");
            }
        }
    }

    /**
     * Renders the three parts for one recipient, in that recipient's locale, together at most the
     * size cap. A template that recurses without end, writes past the cap or exhausts memory is a
     * {@link TemplateProblem#fatal() fatal} {@code template_render} problem, never an Error.
     */
    public RenderedMessage render(Map<String, Object> model, Locale locale) throws TemplateProblem {
        Variant variant = variant(locale == null ? Locale.ROOT : locale);
        CappedText.Budget budget = new CappedText.Budget(maxMessageBytes);
        String subject = HeaderText.clean(process(variant.subject(), model, locale, budget));
        return new RenderedMessage(subject, process(variant.html(), model, locale, budget),
                process(variant.text(), model, locale, budget));
    }

    private Variant variant(Locale locale) throws TemplateProblem {
        Variant variant = variants.get(locale);
        if (variant == null) {
            try {
                variant = new Variant(
                        subjectOverride != null ? subjectOverride : configuration.getTemplate(SUBJECT, locale),
                        configuration.getTemplate(HTML, locale), configuration.getTemplate(TEXT, locale));
            } catch (IOException e) {
                throw new TemplateProblem("template_missing", "Cannot load the templates of " + name + " for locale "
                        + locale.toLanguageTag() + ": " + oneLine(e.getMessage()) + ".");
            }
            variants.putIfAbsent(locale, variant);
        }
        return variant;
    }

    private String process(Template template, Map<String, Object> model, Locale locale, CappedText.Budget budget)
            throws TemplateProblem {
        CappedText out = new CappedText(budget);
        try {
            var environment = template.createProcessingEnvironment(model, out);
            if (locale != null && !locale.getLanguage().isEmpty()) {
                environment.setLocale(locale);
            }
            environment.process();
            return out.toString();
        } catch (TemplateException e) {
            if (CappedText.reachedIn(e)) {
                throw tooLarge(template);
            }
            throw new TemplateProblem("template_render", describe(template, e));
        } catch (CappedText.CapReached e) {
            throw tooLarge(template);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (StackOverflowError e) {
            throw new TemplateProblem("template_render", where(template) + ": a macro or function calls itself without"
                    + " end (rendering ran out of stack).", true);
        } catch (OutOfMemoryError e) {
            out.discard();
            throw new TemplateProblem("template_render", where(template) + ": rendering ran out of memory (a loop"
                    + " without end into <#assign> or <#attempt>?); the message must be far smaller.", true);
        }
    }

    private TemplateProblem tooLarge(Template template) {
        return new TemplateProblem("template_render", where(template) + ": the message grew past max-message-size ("
                + CappedText.size(maxMessageBytes) + ") and rendering was stopped there (a loop without end? raise"
                + " max-message-size in mailer.yaml if messages really are that large).", true);
    }

    private String where(Template template) {
        return template.getSourceName().equals("subject") ? "the campaign file's 'subject'"
                : name + "/" + template.getSourceName();
    }

    private String describe(Template template, TemplateException e) {
        String where = (template.getSourceName().equals("subject") ? "the campaign file's 'subject'"
                : name + "/" + (e.getTemplateSourceName() != null ? e.getTemplateSourceName() : template.getSourceName()))
                + (e.getLineNumber() != null ? " line " + e.getLineNumber() : "");
        if (e instanceof InvalidReferenceException && e.getBlamedExpressionString() != null) {
            String expression = e.getBlamedExpressionString();
            return where + ": " + expression + " is missing (write ${" + expression + "!} or <#if " + expression
                    + "??> where it may be absent).";
        }
        return where + ": " + oneLine(e.getMessageWithoutStackTop()) + ".";
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String line = message.strip().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("----"))
                .findFirst().orElse("unknown error");
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }
}
