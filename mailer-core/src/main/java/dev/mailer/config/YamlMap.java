package dev.mailer.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping whose keys are plain text, each given once, in file order.
 *
 * <p>Duplicate keys are refused here rather than by SnakeYAML because SnakeYAML only checks them
 * when constructing objects, which this package never does; and a repeated key is almost always
 * a forgotten older line that would otherwise silently win or lose.
 */
public final class YamlMap {

    private record Entry(int keyLine, Node value) {
    }

    private final YamlDocument doc;
    private final String path;
    private final int line;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    YamlMap(YamlDocument doc, MappingNode node, String path, int line) {
        this.doc = doc;
        this.path = path;
        this.line = line;
        for (NodeTuple tuple : node.getValue()) {
            Node keyNode = tuple.getKeyNode();
            int keyLine = keyNode.getStartMark().getLine() + 1;
            if (!(keyNode instanceof ScalarNode scalar)) {
                throw doc.error(keyLine, "a key must be plain text, not " + YamlValue.describeKind(keyNode) + ".");
            }
            if (Tag.MERGE.equals(scalar.getTag())) {
                throw doc.error(keyLine, "merge keys (<<) are not supported; write the keys out.");
            }
            String key = scalar.getValue();
            Entry first = entries.get(key);
            if (first != null) {
                throw doc.error(keyLine, "key " + showKey(key) + " is given twice (first on line " + first.keyLine + ").");
            }
            entries.put(key, new Entry(keyLine, tuple.getValueNode()));
        }
    }

    /** The dotted path of this mapping, empty for the top level. */
    public String path() {
        return path;
    }

    /** Line of this mapping's key, or 0 for the top level (the whole file). */
    public int line() {
        return line;
    }

    public YamlDocument document() {
        return doc;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Refuses the first key (in file order) that is not one of {@code knownKeys}: a misspelt key
     * would otherwise be ignored and its setting silently left at the default.
     */
    public YamlMap allowOnly(List<String> knownKeys) {
        Set<String> known = Set.copyOf(knownKeys);
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (!known.contains(e.getKey())) {
                String where = path.isEmpty() ? "known keys are " : "known keys under '" + path + "' are ";
                throw doc.error(e.getValue().keyLine, "unknown key " + showKey(pathOf(e.getKey())) + "; "
                        + where + String.join(", ", knownKeys) + ".");
            }
        }
        return this;
    }

    /** Whether the key is written, even with no value. */
    public boolean has(String key) {
        return entries.containsKey(key);
    }

    /**
     * The value of an optional key; empty when the key is absent or written without a value
     * ({@code reply-to:} or {@code reply-to: ~}), which reads naturally as "not set".
     */
    public Optional<YamlValue> optional(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        YamlValue value = value(key, e);
        return value.isNull() ? Optional.empty() : Optional.of(value);
    }

    /** The value of a required key, refusing a missing key and a key without a value. */
    public YamlValue required(String key) {
        return required(key, "");
    }

    /**
     * As {@link #required(String)}, with {@code hint} (e.g. " (or give it with --name)") added to
     * the missing-key sentence before its full stop.
     */
    public YamlValue required(String key, String hint) {
        Entry e = entries.get(key);
        if (e == null) {
            throw doc.error(line, "required key '" + pathOf(key) + "' is missing" + hint + ".");
        }
        YamlValue value = value(key, e);
        if (value.isNull()) {
            throw doc.error(e.keyLine, "'" + pathOf(key) + "' has no value" + hint + ".");
        }
        return value;
    }

    /**
     * All values in file order, for mappings whose keys are data (such as domains under
     * {@code per-domain}); each value's {@link YamlValue#key()} is its key.
     */
    public List<YamlValue> values() {
        List<YamlValue> values = new ArrayList<>(entries.size());
        entries.forEach((key, e) -> values.add(value(key, e)));
        return values;
    }

    private YamlValue value(String key, Entry e) {
        return new YamlValue(doc, e.value, key, pathOf(key), "'" + pathOf(key) + "'", e.keyLine);
    }

    private String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * Key names are shown, except in a file with secrets where an unknown "key" that looks like
     * a URL or an address is more likely a misplaced secret value than a typo.
     */
    private String showKey(String key) {
        if (doc.hasSecrets() && (key.contains("://") || key.contains("@"))) {
            return "(not shown because it looks like a URL that may hold a password)";
        }
        return YamlValue.quote(key);
    }

    @Override
    public String toString() {
        return "YamlMap[" + doc.name() + (path.isEmpty() ? "" : ", " + path) + ", keys=" + entries.keySet() + "]";
    }
}
