package dev.mailer.campaign;

import dev.mailer.audience.Recipient;
import dev.mailer.template.TemplateProblem;
import dev.mailer.template.TemplateSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The unsubscribe link checked on the templates themselves, for every language they have, with a
 * sample contact: so a dry run with nobody eligible (or nobody of some language) still says that a
 * template lacks it. The sample's message must show the link, as every real one must. Where the
 * sample cannot be rendered (a template needing attributes the sample has not), the template's own
 * text must name {@code unsubscribeUrl} in an interpolation outside FreeMarker comments.
 */
final class TemplateLinkCheck {
    private static final Pattern COMMENT = Pattern.compile("<#--.*?-->", Pattern.DOTALL);
    private static final Pattern LINK = Pattern.compile("\\$\\{[^}]*\\bunsubscribeUrl\\b");
    private static final Pattern VARIANT = Pattern.compile("(html|text)(?:_([A-Za-z0-9_]+))?\\.ftlh?");

    private TemplateLinkCheck() {
    }

    static List<CampaignError> check(CampaignSpec spec, CampaignMessages messages, Path templatesDir) {
        Path dir = templatesDir.resolve(spec.template());
        List<CampaignError> errors = new ArrayList<>();
        for (String locale : locales(dir)) {
            try {
                messages.render(sample(locale), 0);
            } catch (TemplateProblem problem) {
                if (problem.code().equals("template_unsubscribe")) {
                    errors.add(new CampaignError(problem.code(), problem.getMessage() + " (checked with a sample"
                            + " contact" + (locale.isEmpty() ? "" : " of locale " + locale) + ")"));
                } else {
                    errors.addAll(readFiles(spec, dir, locale));
                }
            }
        }
        return errors;
    }

    /** The languages the template has a file for; "" for the fallback files. */
    private static TreeSet<String> locales(Path dir) {
        TreeSet<String> locales = new TreeSet<>(List.of(""));
        try (Stream<Path> files = Files.list(dir)) {
            files.map(f -> VARIANT.matcher(f.getFileName().toString()))
                    .filter(m -> m.matches() && m.group(2) != null)
                    .forEach(m -> locales.add(m.group(2).replace('_', '-')));
        } catch (IOException e) {
            // the folder was read a moment ago by TemplateSet: nothing more to check than the fallback
        }
        return locales;
    }

    private static List<CampaignError> readFiles(CampaignSpec spec, Path dir, String locale) {
        List<CampaignError> errors = new ArrayList<>();
        for (String part : List.of(TemplateSet.HTML, TemplateSet.TEXT)) {
            Path file = dir.resolve(locale.isEmpty() ? part : part.replace(".", "_" + locale.replace('-', '_') + "."));
            if (!Files.isRegularFile(file)) {
                file = dir.resolve(part);
            }
            try {
                String text = COMMENT.matcher(Files.readString(file)).replaceAll("");
                if (!LINK.matcher(text).find()) {
                    errors.add(new CampaignError("template_unsubscribe", "The " + (part.equals(TemplateSet.HTML)
                            ? "HTML" : "text") + " part of template '" + spec.template() + "'"
                            + (locale.isEmpty() ? "" : " for locale " + locale) + " does not show ${unsubscribeUrl}"
                            + " (outside comments); every message must let its reader unsubscribe."));
                }
            } catch (IOException e) {
                errors.add(new CampaignError("template_missing", "Cannot read " + file + ": " + e.getMessage()));
            }
        }
        return errors;
    }

    private static Recipient sample(String locale) {
        OffsetDateTime now = OffsetDateTime.now();
        return new Recipient(0, "sample@example.com", "sample@example.com", "Anna Nowak",
                locale.isEmpty() ? null : locale, List.of(), Map.of(), "sample", now, now);
    }
}
