package dev.mailer.contacts;

import dev.mailer.contacts.ColumnMap.Attribute;
import dev.mailer.contacts.ColumnMap.Column;
import dev.mailer.contacts.ColumnMap.Dropped;
import dev.mailer.contacts.ColumnMap.Rule;
import dev.mailer.contacts.ColumnMap.Slot;
import dev.mailer.contacts.ColumnMap.Target;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the columns of one file become mailer's columns: the file's own names, or {@code --preset}
 * and {@code --map} rules over them. Decided once from the header; each row is then rewritten into
 * mailer's columns (the "mailer header"), which the row parser reads as if the file had them.
 *
 * <p>A column no rule names is what its name says: one of mailer's columns, or an attribute.
 * {@code --map} rules win over the preset's for the same column. Several columns may give
 * {@code name} (joined with spaces, in file order) or {@code tags} (joined); any other column
 * comes from one column only.
 */
final class HeaderPlan {
    private final boolean identity;
    private final int sourceSize;
    private final List<String> header;
    private final int[][] sources;
    private final char[] joiners;
    private final Map<String, Integer> positions;
    private final Map<String, Integer> slots;
    private final ImportPreset preset;
    private final int emailSource;
    private final boolean fileHasPurpose;

    private HeaderPlan(boolean identity, int sourceSize, List<String> header, int[][] sources, char[] joiners,
                       Map<String, Integer> slots, ImportPreset preset, int emailSource, boolean fileHasPurpose) {
        this.identity = identity;
        this.sourceSize = sourceSize;
        this.header = List.copyOf(header);
        this.sources = sources;
        this.joiners = joiners;
        this.slots = slots;
        this.preset = preset;
        this.emailSource = emailSource;
        this.fileHasPurpose = fileHasPurpose;
        this.positions = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            positions.put(header.get(i), i);
        }
    }

    /** One row being rewritten, as a preset sees it. */
    interface Row {
        /** The value of a mailer column, or null when the mailer header has no such column. */
        String get(String column);

        /** Sets a mailer column; ignored when the mailer header has no such column. */
        void set(String column, String value);

        boolean hasSlot(String slot);

        /** The raw value of the file's column read into a slot, or "" when the file has none. */
        String slot(String slot);

        void attribute(String name, String value);
    }

    /** A row in mailer's columns, and the attributes a preset read from it. */
    record Mapped(List<String> fields, Map<String, String> attributes) {
    }

    /** The file's columns are mailer's: the header as it is. */
    static HeaderPlan identity(List<String> rawHeader) {
        int email = -1;
        boolean purpose = false;
        for (int i = 0; i < rawHeader.size(); i++) {
            String name = rawHeader.get(i).strip().replace("\uFEFF", "").toLowerCase(Locale.ROOT);
            if (name.equals(CsvColumns.EMAIL) && email < 0) {
                email = i;
            }
            purpose |= name.equals(CsvColumns.PURPOSE);
        }
        return new HeaderPlan(true, rawHeader.size(), rawHeader, new int[0][], new char[0], Map.of(), null, email,
                purpose);
    }

    /** @param preset may be null */
    static HeaderPlan resolve(List<String> rawHeader, String fileName, ImportPreset preset, ColumnMap map) {
        if (preset == null && map.isEmpty()) {
            return identity(rawHeader);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < rawHeader.size(); i++) {
            String name = CsvColumns.name(rawHeader, i, fileName);
            if (names.contains(name)) {
                throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line 1: column '" + name
                        + "' appears twice in the header.");
            }
            names.add(name);
        }
        Rule[] chosen = new Rule[names.size()];
        for (Rule rule : map.rules()) {
            int i = find(names, rule.source());
            if (i < 0) {
                throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line 1: " + rule.origin()
                        + " names column '" + rule.source() + "', which is not in the header (found: "
                        + String.join(", ", names) + ").");
            }
            if (chosen[i] != null) {
                throw MailerException.of(ErrorKind.USAGE, rule.origin() + ": column '" + names.get(i)
                        + "' is mapped twice.");
            }
            chosen[i] = rule;
        }
        if (preset != null) {
            for (Rule rule : preset.rules()) {
                int i = find(names, rule.source());
                if (i >= 0 && chosen[i] == null) {
                    chosen[i] = rule;
                }
            }
        }
        Map<String, List<Integer>> columns = new LinkedHashMap<>();
        Map<String, Integer> slots = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Target target = chosen[i] != null ? chosen[i].target() : byName(names.get(i));
            String key;
            if (target instanceof Column column) {
                key = column.name();
                if (columns.containsKey(key) && !key.equals(CsvColumns.NAME) && !key.equals(CsvColumns.TAGS)) {
                    throw MailerException.of(ErrorKind.USAGE, fileName + " line 1: both '"
                            + names.get(columns.get(key).get(0)) + "' and '" + names.get(i) + "' would give " + key
                            + "; only name and tags take several columns (leave one out with --map 'COLUMN=-').");
                }
            } else if (target instanceof Attribute attribute) {
                key = attribute.name();
                if (columns.containsKey(key)) {
                    throw MailerException.of(ErrorKind.USAGE, fileName + " line 1: both '"
                            + names.get(columns.get(key).get(0)) + "' and '" + names.get(i)
                            + "' would give the attribute '" + key + "'.");
                }
            } else if (target instanceof Slot slot) {
                slots.put(slot.name(), i);
                continue;
            } else if (target instanceof Dropped) {
                continue;
            } else {
                throw new IllegalStateException(String.valueOf(target));
            }
            columns.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        boolean fileHasPurpose = columns.containsKey(CsvColumns.PURPOSE);
        if (preset != null) {
            for (String written : preset.writes(slots.keySet())) {
                columns.putIfAbsent(written, List.of());
            }
        }
        if (!columns.containsKey(CsvColumns.EMAIL) || columns.get(CsvColumns.EMAIL).isEmpty()) {
            throw MailerException.of(ErrorKind.INPUT_FILE, fileName + " line 1: no column gives the e-mail address"
                    + (preset != null ? ": --preset " + preset.presetName() + " reads it from '" + preset.emailColumn()
                    + "'" : "") + " (found: " + String.join(", ", names) + "); name it with --map 'COLUMN=email'.");
        }
        List<String> header = new ArrayList<>(columns.keySet());
        int[][] sources = new int[header.size()][];
        char[] joiners = new char[header.size()];
        for (int k = 0; k < header.size(); k++) {
            sources[k] = columns.get(header.get(k)).stream().mapToInt(Integer::intValue).toArray();
            joiners[k] = header.get(k).equals(CsvColumns.TAGS) ? ';' : ' ';
        }
        return new HeaderPlan(false, names.size(), header, sources, joiners, slots, preset,
                columns.get(CsvColumns.EMAIL).get(0), fileHasPurpose);
    }

    /** A column by its exact name, else by a case-insensitive match when there is exactly one; -1 if none. */
    private static int find(List<String> names, String name) {
        int exact = names.indexOf(name);
        if (exact >= 0) {
            return exact;
        }
        int found = -1;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found;
    }

    /** What a column no rule names is: one of mailer's columns, or an attribute. */
    private static Target byName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return CsvColumns.KNOWN.contains(lower) ? new Column(lower) : new Attribute(name);
    }

    boolean identity() {
        return identity;
    }

    /** Fields a row of the file has. */
    int sourceSize() {
        return sourceSize;
    }

    /** The header in mailer's columns (the file's own header when nothing is mapped). */
    List<String> header() {
        return header;
    }

    /** The file's column that holds the address, or -1. */
    int emailSource() {
        return emailSource;
    }

    /** Whether a column of the file gives consent_purpose. */
    boolean fileHasPurpose() {
        return fileHasPurpose;
    }

    /** Rewrites one row (with the header's number of fields) into mailer's columns. */
    Mapped apply(List<String> fields) throws RowParser.BadRow {
        if (identity) {
            return new Mapped(fields, Map.of());
        }
        String[] out = new String[header.size()];
        for (int k = 0; k < out.length; k++) {
            int[] from = sources[k];
            if (from.length == 0) {
                out[k] = "";
            } else if (from.length == 1) {
                out[k] = fields.get(from[0]);
            } else {
                StringBuilder joined = new StringBuilder();
                for (int source : from) {
                    String value = fields.get(source).strip();
                    if (!value.isEmpty()) {
                        if (joined.length() > 0) {
                            joined.append(joiners[k]);
                        }
                        joined.append(value);
                    }
                }
                out[k] = joined.toString();
            }
        }
        if (preset == null) {
            return new Mapped(Arrays.asList(out), Map.of());
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        preset.finish(new Row() {
            @Override
            public String get(String column) {
                Integer at = positions.get(column);
                return at == null ? null : out[at];
            }

            @Override
            public void set(String column, String value) {
                Integer at = positions.get(column);
                if (at != null) {
                    out[at] = value;
                }
            }

            @Override
            public boolean hasSlot(String slot) {
                return slots.containsKey(slot);
            }

            @Override
            public String slot(String slot) {
                Integer at = slots.get(slot);
                return at == null ? "" : fields.get(at);
            }

            @Override
            public void attribute(String name, String value) {
                attributes.put(name, value);
            }
        });
        return new Mapped(Arrays.asList(out), attributes);
    }
}
