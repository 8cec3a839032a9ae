package dev.mailer.reply;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A list of lower-case phrases, any of which may occur in a text. Faster than one big
 * alternation: Java's regular expressions try every alternative at every position, while a plain
 * phrase is a vectorized {@link String#contains} and a pattern that starts with a word is
 * searched with Boyer-Moore. Bounce texts are short, but a mailbox poll reads thousands of them.
 */
public final class Phrases {
    private static final String REGEX_SYNTAX = "\\[](){}.*+?^$|";
    private final String[] literals;
    private final Pattern[] patterns;

    private Phrases(String[] literals, Pattern[] patterns) {
        this.literals = literals;
        this.patterns = patterns;
    }

    /** @param phrases lower-case literal phrases or regular expressions */
    public static Phrases of(String... phrases) {
        List<String> literals = new ArrayList<>();
        List<Pattern> patterns = new ArrayList<>();
        for (String phrase : phrases) {
            if (phrase.chars().anyMatch(c -> REGEX_SYNTAX.indexOf(c) >= 0)) {
                patterns.add(Pattern.compile(phrase));
            } else {
                literals.add(phrase);
            }
        }
        return new Phrases(literals.toArray(String[]::new), patterns.toArray(Pattern[]::new));
    }

    /** Every phrase of the parts, as one set (tables kept in named parts, asked about as one). */
    public static Phrases anyOf(Phrases... parts) {
        List<String> literals = new ArrayList<>();
        List<Pattern> patterns = new ArrayList<>();
        for (Phrases part : parts) {
            literals.addAll(List.of(part.literals));
            patterns.addAll(List.of(part.patterns));
        }
        return new Phrases(literals.toArray(String[]::new), patterns.toArray(Pattern[]::new));
    }

    /** True when one of the phrases occurs in the text, which must already be lower case. */
    public boolean in(String lowerCaseText) {
        for (String literal : literals) {
            if (lowerCaseText.contains(literal)) {
                return true;
            }
        }
        for (Pattern pattern : patterns) {
            if (pattern.matcher(lowerCaseText).find()) {
                return true;
            }
        }
        return false;
    }

    /** As {@link #in}, for text in any case. */
    public boolean inAnyCase(String text) {
        return text != null && in(text.toLowerCase(Locale.ROOT));
    }
}
