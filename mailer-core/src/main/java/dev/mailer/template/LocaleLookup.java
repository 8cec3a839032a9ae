package dev.mailer.template;

import freemarker.cache.TemplateLookupContext;
import freemarker.cache.TemplateLookupResult;
import freemarker.cache.TemplateLookupStrategy;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * FreeMarker's localized lookup, but with BCP 47 scripts: for {@code sr-Latn} it tries
 * {@code html_sr_Latn.ftlh}, then {@code html_sr.ftlh}, then {@code html.ftlh}. FreeMarker's default
 * strategy builds names from {@link Locale#toString()}, which gives {@code sr__#Latn} for a script.
 */
final class LocaleLookup extends TemplateLookupStrategy {
    static final LocaleLookup INSTANCE = new LocaleLookup();

    @Override
    public TemplateLookupResult lookup(TemplateLookupContext context) throws IOException {
        String name = context.getTemplateName();
        Locale locale = context.getTemplateLocale();
        if (locale == null || locale.getLanguage().isEmpty()) {
            return context.lookupWithAcquisitionStrategy(name);
        }
        int dot = name.lastIndexOf('.');
        int slash = name.lastIndexOf('/');
        String base = dot > slash ? name.substring(0, dot) : name;
        String extension = dot > slash ? name.substring(dot) : "";
        for (String suffix : suffixes(locale)) {
            TemplateLookupResult result = context.lookupWithAcquisitionStrategy(base + suffix + extension);
            if (result.isPositive()) {
                return result;
            }
        }
        return context.lookupWithAcquisitionStrategy(name);
    }

    /** Most specific first: _sr_Latn_RS, _sr_Latn, _sr_RS, _sr. */
    static Set<String> suffixes(Locale locale) {
        String language = "_" + locale.getLanguage();
        String script = locale.getScript().isEmpty() ? "" : "_" + locale.getScript();
        String country = locale.getCountry().isEmpty() ? "" : "_" + locale.getCountry();
        Set<String> suffixes = new LinkedHashSet<>();
        suffixes.add(language + script + country);
        suffixes.add(language + script);
        suffixes.add(language + country);
        suffixes.add(language);
        return suffixes;
    }
}
