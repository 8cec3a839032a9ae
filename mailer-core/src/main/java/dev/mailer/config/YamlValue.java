package dev.mailer.config;

import dev.mailer.error.MailerException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.CollectionNode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One value of a {@link YamlDocument}, with typed accessors that refuse wrong values in a
 * sentence naming the key and the line.
 *
 * <p>Text accessors take a scalar as written, whatever type YAML guessed for it: {@code purpose:
 * 2026} is the text {@code 2026}. Only booleans are strict, see {@link #bool()}.
 */
public final class YamlValue {

    private static final Set<Tag> SCALAR_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.TIMESTAMP);
    private static final Set<String> TRUE = Set.of("true", "True", "TRUE");
    private static final Set<String> FALSE = Set.of("false", "False", "FALSE");
    private static final Set<String> AMBIGUOUS_BOOLEANS = Set.of("yes", "no", "on", "off", "y", "n");
    private static final int SHOWN_CODE_POINTS = 60;

    private final YamlDocument doc;
    private final Node node;
    private final String key;
    private final String path;
    private final String label;
    private final int keyLine;

    YamlValue(YamlDocument doc, Node node, String key, String path, String label, int keyLine) {
        this.doc = doc;
        this.node = node;
        this.key = key;
        this.path = path;
        this.label = label;
        this.keyLine = keyLine;
    }

    /** The last part of the path: the key as written (for list entries, the list's key). */
    public String key() {
        return key;
    }

    /** The dotted path, e.g. {@code audience.tags} or {@code per-domain.gmail.com}. */
    public String path() {
        return path;
    }

    /**
     * The line to blame: where the value starts, except for block lists and mappings (which
     * start on the line after their key) and empty values, where the key's line is clearer.
     */
    public int line() {
        if (isNull()) {
            return keyLine;
        }
        if (node instanceof CollectionNode<?> c && c.getFlowStyle() != DumperOptions.FlowStyle.FLOW) {
            return keyLine;
        }
        return node.getStartMark().getLine() + 1;
    }

    public boolean isNull() {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    /** The scalar as written; refuses lists, mappings and an empty value. */
    public String text() {
        return scalar("be text").getValue();
    }

    /**
     * Only YAML's {@code true} and {@code false}, unquoted. The YAML 1.1 words {@code yes},
     * {@code no}, {@code on}, {@code off} are refused because YAML readers disagree on them (and
     * a consent setting is no place for a guess).
     */
    public boolean bool() {
        ScalarNode s = scalar("be true or false");
        String v = s.getValue();
        if (s.isPlain() && TRUE.contains(v)) {
            return true;
        }
        if (s.isPlain() && FALSE.contains(v)) {
            return false;
        }
        if (AMBIGUOUS_BOOLEANS.contains(v.toLowerCase(Locale.ROOT))) {
            throw invalid("be true or false", "write true or false: YAML tools read yes, no, on and off differently");
        }
        if (!s.isPlain() && (TRUE.contains(v) || FALSE.contains(v))) {
            throw invalid("be true or false", "remove the quotes");
        }
        throw invalid("be true or false");
    }

    /** A whole number in {@code [min, max]}, written in digits. */
    public int wholeNumber(int min, int max) {
        String phrase = "be a whole number from " + min + " to " + max;
        String v = scalar(phrase).getValue().strip();
        if (!v.matches("[0-9]{1,9}")) {
            throw invalid(phrase);
        }
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
            throw invalid(phrase);
        }
        return n;
    }

    /** A nested mapping, its keys named {@code path.key} in messages. */
    public YamlMap map() {
        checkTag();
        if (!(node instanceof MappingNode mapping)) {
            throw invalid("be a mapping of keys to values (indented key: value lines)");
        }
        return new YamlMap(doc, mapping, path, keyLine);
    }

    /**
     * A list of texts, where a single text stands for a list of one ({@code tags: customers}
     * means {@code tags: [customers]}). Entries are checked to be text; their own line is kept.
     */
    public List<YamlValue> list() {
        checkTag();
        if (node instanceof ScalarNode) {
            scalar("be text or a list of texts");
            return List.of(this);
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw invalid("be text or a list of texts");
        }
        List<YamlValue> entries = new ArrayList<>(sequence.getValue().size());
        for (Node item : sequence.getValue()) {
            int itemLine = item.getStartMark().getLine() + 1;
            YamlValue entry = new YamlValue(doc, item, key, path, "each entry of '" + path + "'", itemLine);
            if (entry.isNull()) {
                throw doc.error(itemLine, "'" + path + "' has an empty entry.");
            }
            entry.scalar("be text");
            entries.add(entry);
        }
        return entries;
    }

    /** {@code <file> line N: <sentence>}. */
    public MailerException error(String sentence) {
        return doc.error(line(), sentence);
    }

    /** {@code <file> line N: '<key>' must <mustPhrase>, not '<value>'.} */
    public MailerException invalid(String mustPhrase) {
        return invalid(mustPhrase, null);
    }

    /** As {@link #invalid(String)}, with a hint in parentheses before the full stop. */
    public MailerException invalid(String mustPhrase, String hint) {
        StringBuilder b = new StringBuilder(label).append(" must ").append(mustPhrase);
        if (isNull()) {
            b.append(", but it has no value");
        } else if (node instanceof SequenceNode) {
            b.append(", not a list");
        } else if (node instanceof MappingNode) {
            b.append(", not a mapping");
        } else if (!isSecret()) {
            b.append(", not ").append(quote(((ScalarNode) node).getValue()));
        }
        if (hint != null && !hint.isEmpty()) {
            b.append(" (").append(hint).append(')');
        }
        return error(b.append('.').toString());
    }

    /** Whether this value may hold a password and so must never be shown. */
    public boolean isSecret() {
        return doc.isSecret(path);
    }

    private ScalarNode scalar(String mustPhrase) {
        checkTag();
        if (isNull()) {
            throw doc.error(keyLine, label.startsWith("'")
                    ? label + " has no value."
                    : "'" + path + "' has an empty entry.");
        }
        if (!(node instanceof ScalarNode s)) {
            throw invalid(mustPhrase);
        }
        return s;
    }

    /**
     * Refuses explicit tags such as {@code !!binary} or {@code !local}: they would ask for a
     * type this reader never builds, and silently ignoring them would hide a mistake.
     */
    private void checkTag() {
        Tag tag = node.getTag();
        boolean ok = node instanceof ScalarNode ? SCALAR_TAGS.contains(tag)
                : node instanceof SequenceNode ? Tag.SEQ.equals(tag)
                : Tag.MAP.equals(tag);
        if (!ok) {
            String shown = tag.getValue().startsWith(Tag.PREFIX)
                    ? "!!" + tag.getValue().substring(Tag.PREFIX.length())
                    : tag.getValue();
            throw error("the YAML tag " + quote(shown) + " on " + label + " is not allowed; write a plain value.");
        }
    }

    /**
     * A value as shown in a message: in single quotes, on one line (control characters escaped)
     * and cut after 60 characters, so one sentence stays one line.
     */
    public static String quote(String value) {
        StringBuilder b = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (shown++ == SHOWN_CODE_POINTS) {
                b.append('…');
                break;
            }
            switch (cp) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
                        b.append(String.format(Locale.ROOT, "\\u%04X", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        }
        return b.append('\'').toString();
    }

    static String describeKind(Node node) {
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        return "a single value";
    }

    @Override
    public String toString() {
        return "YamlValue[" + doc.name() + " line " + line() + ", " + path + "]";
    }
}
