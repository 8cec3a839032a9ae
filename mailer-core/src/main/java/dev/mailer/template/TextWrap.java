package dev.mailer.template;

import freemarker.template.TemplateMethodModelEx;
import freemarker.template.TemplateModelException;
import freemarker.template.TemplateNumberModel;
import freemarker.template.TemplateScalarModel;
import java.util.List;

/**
 * {@code ${wrap(text)}} / {@code ${wrap(text, 60)}} for plain-text templates: breaks a paragraph
 * into lines of at most 72 (or the given) characters at spaces. Done in Java because a FreeMarker
 * loop over the words cost more than the rest of a message put together.
 */
final class TextWrap implements TemplateMethodModelEx {
    static final int DEFAULT_WIDTH = 72;

    @Override
    public Object exec(@SuppressWarnings("rawtypes") List arguments) throws TemplateModelException {
        if (arguments.isEmpty() || arguments.size() > 2 || !(arguments.get(0) instanceof TemplateScalarModel text)) {
            throw new TemplateModelException("wrap(text[, width]) takes a string and an optional width");
        }
        int width = DEFAULT_WIDTH;
        if (arguments.size() == 2) {
            if (!(arguments.get(1) instanceof TemplateNumberModel number)) {
                throw new TemplateModelException("wrap(text, width): width must be a number");
            }
            width = Math.max(10, number.getAsNumber().intValue());
        }
        return wrap(text.getAsString(), width);
    }

    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder(text.length() + text.length() / width + 1);
        int lineStart = 0;
        for (String word : text.strip().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            int lineLength = out.length() - lineStart;
            if (lineLength > 0 && lineLength + 1 + word.length() > width) {
                out.append('\n');
                lineStart = out.length();
            } else if (lineLength > 0) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.toString();
    }
}
