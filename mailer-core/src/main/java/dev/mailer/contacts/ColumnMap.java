package dev.mailer.contacts;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the operator says the columns of a file are ({@code --map}, {@code --map-file}): each rule
 * names a column of the file and what it becomes in mailer. Rules are written {@code Source=target};
 * a name holding {@code ,}, {@code =}, {@code "} or spaces at its ends is written in double quotes,
 * with {@code ""} for a quote inside. Targets are mailer's columns, {@code attribute:NAME} for a
 * contact attribute of another name, or {@code -} to leave the column out.
 */
public final class ColumnMap {
    /** No rules: the file's own column names are mailer's. */
    public static final ColumnMap NONE = new ColumnMap(List.of());
    static final String ATTRIBUTE_PREFIX = "attribute:";
    static final String DROPPED = "-";

    /** What one column of the file becomes. */
    sealed interface Target permits Column, Attribute, Dropped, Slot {
    }

    /** One of mailer's columns (CsvColumns.KNOWN). */
    record Column(String name) implements Target {
    }

    /** A contact attribute under this name. */
    record Attribute(String name) implements Target {
    }

    /** Not imported at all. */
    record Dropped() implements Target {
    }

    /** Read by a preset's own rule (e.g. listmonk's status); never written by an operator. */
    record Slot(String name) implements Target {
    }

    /** @param origin where the rule was written, for messages: {@code --map}, {@code map file x line 3} */
    record Rule(String source, Target target, String origin) {
    }

    private final List<Rule> rules;

    private ColumnMap(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    List<Rule> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The rules of one {@code --map} value: {@code Source=target} separated by commas. */
    public static ColumnMap parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String entry : split(text, "--map '" + text + "'")) {
            if (!entry.isBlank()) {
                rules.add(rule(entry, "--map '" + entry.strip() + "'"));
            }
        }
        return new ColumnMap(rules);
    }

    /** A map file: one {@code Source=target} per line; blank lines and lines starting with # are skipped. */
    public static ColumnMap read(Path file) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw MailerException.of(ErrorKind.USAGE, "Map file not found: " + file + ".");
        } catch (CharacterCodingException e) {
            throw MailerException.of(ErrorKind.USAGE, "Map file " + file + " is not valid UTF-8.");
        } catch (IOException e) {
            throw MailerException.of(ErrorKind.USAGE, "Cannot read map file " + file + ": " + e.getMessage() + ".");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            rules.add(rule(line, "map file " + name + " line " + (i + 1)));
        }
        return new ColumnMap(rules);
    }

    /** These rules and then those; a column named by both is an error. */
    public ColumnMap and(ColumnMap other) {
        List<Rule> all = new ArrayList<>(rules);
        all.addAll(other.rules);
        Set<String> seen = new HashSet<>();
        for (Rule rule : all) {
            if (!seen.add(rule.source())) {
                throw MailerException.of(ErrorKind.USAGE, rule.origin() + ": column '" + rule.source()
                        + "' is mapped twice.");
            }
        }
        return new ColumnMap(all);
    }

    /** Rules of a preset (package-internal: slots are allowed there). */
    static ColumnMap of(List<Rule> rules) {
        return new ColumnMap(rules);
    }

    private static Rule rule(String entry, String origin) {
        List<String> parts = splitOnce(entry, origin);
        if (parts.size() != 2) {
            throw MailerException.of(ErrorKind.USAGE, origin + ": expected Source=target (quote a column name"
                    + " holding '=' or ',' in double quotes).");
        }
        String source = parts.get(0);
        if (source.isEmpty()) {
            throw MailerException.of(ErrorKind.USAGE, origin + ": the column name before '=' is empty.");
        }
        return new Rule(source, target(parts.get(1), origin), origin);
    }

    /** A target as an operator writes it. */
    static Target target(String text, String origin) {
        if (text.equals(DROPPED)) {
            return new Dropped();
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (CsvColumns.KNOWN.contains(lower)) {
            return new Column(lower);
        }
        if (lower.startsWith(ATTRIBUTE_PREFIX)) {
            String name = text.substring(ATTRIBUTE_PREFIX.length()).strip();
            if (name.isEmpty() || name.length() > CsvColumns.MAX_ATTRIBUTE_NAME
                    || name.chars().anyMatch(Character::isISOControl)) {
                throw MailerException.of(ErrorKind.USAGE, origin + ": '" + text + "' does not name a usable attribute"
                        + " (1 to " + CsvColumns.MAX_ATTRIBUTE_NAME + " characters, no control characters).");
            }
            if (CsvColumns.KNOWN.contains(name.toLowerCase(Locale.ROOT))) {
                throw MailerException.of(ErrorKind.USAGE, origin + ": " + name.toLowerCase(Locale.ROOT)
                        + " is one of mailer's own columns, not an attribute; map to " + name.toLowerCase(Locale.ROOT)
                        + " instead.");
            }
            return new Attribute(name);
        }
        throw MailerException.of(ErrorKind.USAGE, origin + ": unknown target column '" + text + "' (expected one of "
                + String.join(", ", CsvColumns.KNOWN) + "; attribute:NAME for an attribute; - to leave the column out).");
    }

    /** Splits one --map value into entries at commas outside double quotes, quotes kept. */
    private static List<String> split(String text, String origin) {
        List<String> entries = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted; // "" inside quotes toggles twice: the entry parser reads it as one quote
            }
            if (c == ',' && !quoted) {
                entries.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (quoted) {
            throw MailerException.of(ErrorKind.USAGE, origin + ": a double quote is not closed.");
        }
        entries.add(current.toString());
        return entries;
    }

    /**
     * Reads "source=target" where either side may be quoted: returns the two names unquoted (or one
     * part when there is no '=' outside quotes).
     */
    private static List<String> splitOnce(String entry, String origin) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        int n = entry.length();
        while (true) {
            while (i < n && Character.isWhitespace(entry.charAt(i))) {
                i++;
            }
            StringBuilder name = new StringBuilder();
            if (i < n && entry.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = entry.charAt(i++);
                    if (c == '"') {
                        if (i < n && entry.charAt(i) == '"') {
                            name.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        name.append(c);
                    }
                }
                if (!closed) {
                    throw MailerException.of(ErrorKind.USAGE, origin + ": a double quote is not closed.");
                }
                while (i < n && Character.isWhitespace(entry.charAt(i))) {
                    i++;
                }
                if (i < n && !(entry.charAt(i) == '=' && parts.isEmpty())) {
                    throw MailerException.of(ErrorKind.USAGE, origin + ": unexpected text after the closing quote.");
                }
                parts.add(name.toString());
            } else {
                int start = i;
                while (i < n && !(entry.charAt(i) == '=' && parts.isEmpty())) {
                    if (entry.charAt(i) == '"') {
                        throw MailerException.of(ErrorKind.USAGE, origin + ": a double quote inside a name;"
                                + " quote the whole name (\"like \"\"this\"\"\").");
                    }
                    i++;
                }
                parts.add(entry.substring(start, i).strip());
            }
            if (i < n && entry.charAt(i) == '=' && parts.size() == 1) {
                i++;
                continue;
            }
            return parts;
        }
    }
}
