package dev.mailer.contacts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.contacts.ColumnMap.Column;
import dev.mailer.contacts.ColumnMap.Dropped;
import dev.mailer.contacts.ColumnMap.Rule;
import dev.mailer.contacts.ColumnMap.Slot;
import dev.mailer.contacts.ColumnMap.Target;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The exports of the tools people leave ({@code --preset}): which of their columns become which of
 * mailer's, and what their own statuses mean for consent. Only what the export says is recorded:
 * nobody is confirmed, granted or dated on a guess. The README lists every column of both.
 */
public enum ImportPreset {
    /**
     * Mailchimp's audience export (subscribed, unsubscribed and cleaned files alike): {@code Email
     * Address, First Name, Last Name, [your fields], MEMBER_RATING, OPTIN_TIME, OPTIN_IP, CONFIRM_TIME,
     * CONFIRM_IP, LATITUDE, LONGITUDE, GMTOFF, DSTOFF, TIMEZONE, CC, REGION, LAST_CHANGED, LEID, EUID,
     * NOTES, TAGS}, plus UNSUB_* or CLEAN_* columns in the unsubscribed and cleaned files.
     */
    MAILCHIMP("mailchimp", "Email Address") {
        @Override
        List<Rule> rules() {
            List<Rule> rules = new ArrayList<>();
            add(rules, "Email Address", new Column(CsvColumns.EMAIL));
            add(rules, "First Name", new Column(CsvColumns.NAME));
            add(rules, "Last Name", new Column(CsvColumns.NAME));
            add(rules, "OPTIN_TIME", new Column(CsvColumns.CONSENT_AT));
            add(rules, "OPTIN_IP", new Column(CsvColumns.IP));
            add(rules, "CONFIRM_TIME", new Column(CsvColumns.CONFIRMED_AT));
            add(rules, "TAGS", new Slot(TAGS));
            add(rules, "LANGUAGE", new Slot(LANGUAGE));
            add(rules, "UNSUB_TIME", new Slot(UNSUB_TIME));
            add(rules, "CLEAN_TIME", new Slot(CLEAN_TIME));
            for (String dropped : List.of("CONFIRM_IP", "MEMBER_RATING", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF",
                    "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES", "UNSUB_CAMPAIGN_TITLE",
                    "UNSUB_CAMPAIGN_ID", "UNSUB_REASON", "UNSUB_REASON_OTHER", "CLEAN_CAMPAIGN_TITLE",
                    "CLEAN_CAMPAIGN_ID")) {
                add(rules, dropped, new Dropped());
            }
            return rules;
        }

        @Override
        List<String> writes(Set<String> slots) {
            List<String> writes = new ArrayList<>();
            if (slots.contains(TAGS)) {
                writes.add(CsvColumns.TAGS);
            }
            if (slots.contains(LANGUAGE)) {
                writes.add(CsvColumns.LOCALE);
            }
            if (slots.contains(UNSUB_TIME)) {
                writes.addAll(List.of(CsvColumns.STATUS, CsvColumns.CONSENT_AT));
            }
            return writes;
        }

        @Override
        void finish(HeaderPlan.Row row) throws RowParser.BadRow {
            if (!row.slot(CLEAN_TIME).isBlank()) {
                throw new RowParser.BadRow("cleaned in Mailchimp (the address bounced): not imported");
            }
            if (!row.slot(UNSUB_TIME).isBlank()) {
                // the unsubscribed file: what counts is the withdrawal, when it happened
                clearConsent(row);
                row.set(CsvColumns.STATUS, ConsentStatement.WITHDRAWN);
                row.set(CsvColumns.CONSENT_AT, row.slot(UNSUB_TIME));
            }
            if (row.hasSlot(TAGS)) {
                row.set(CsvColumns.TAGS, String.join(";", mailchimpTags(row.slot(TAGS))));
            }
            if (row.hasSlot(LANGUAGE)) {
                // a language code (en, pl, fr_CA); anything else ("English") is left out, not a reject
                String language = row.slot(LANGUAGE).strip().replace('_', '-');
                row.set(CsvColumns.LOCALE, LANGUAGE_CODE.matcher(language).matches()
                        && Locale.forLanguageTag(language).toLanguageTag().equalsIgnoreCase(language) ? language : "");
            }
        }
    },

    /**
     * listmonk's subscriber export: {@code uuid, email, name, attributes, status, created_at,
     * updated_at}. Its list subscription status is not a column of that export; a file that has a
     * {@code subscription_status} column (as listmonk's API names it) is read as well.
     */
    LISTMONK("listmonk", "email") {
        @Override
        List<Rule> rules() {
            List<Rule> rules = new ArrayList<>();
            add(rules, "uuid", new Dropped());
            add(rules, "email", new Column(CsvColumns.EMAIL));
            add(rules, "name", new Column(CsvColumns.NAME));
            add(rules, "attributes", new Slot(ATTRIBUTES));
            add(rules, "status", new Slot(STATUS));
            add(rules, "created_at", new Column(CsvColumns.CONSENT_AT));
            add(rules, "updated_at", new Slot(UPDATED_AT));
            add(rules, "subscription_status", new Slot(SUBSCRIPTION_STATUS));
            return rules;
        }

        @Override
        List<String> writes(Set<String> slots) {
            List<String> writes = new ArrayList<>();
            if (slots.contains(STATUS)) {
                writes.addAll(List.of(CsvColumns.PURPOSE, CsvColumns.STATUS, CsvColumns.CONSENT_AT));
            }
            if (slots.contains(SUBSCRIPTION_STATUS)) {
                writes.addAll(List.of(CsvColumns.STATUS, CsvColumns.CONSENT_AT, CsvColumns.CONFIRMED_AT));
            }
            return writes;
        }

        @Override
        void finish(HeaderPlan.Row row) throws RowParser.BadRow {
            if (row.hasSlot(ATTRIBUTES)) {
                listmonkAttributes(row.slot(ATTRIBUTES), row);
            }
            String status = row.slot(STATUS).strip().toLowerCase(Locale.ROOT);
            switch (status) {
                case "", "enabled" -> {
                }
                case "disabled" -> {
                    // no longer mailed by listmonk, for a reason the export does not give: no consent
                    clearConsent(row);
                    return;
                }
                case "blocklisted" -> {
                    // receives nothing at all from listmonk: withdrawn for everything, when it was blocklisted
                    clearConsent(row);
                    row.set(CsvColumns.PURPOSE, ConsentStatement.ALL_PURPOSES);
                    row.set(CsvColumns.STATUS, ConsentStatement.WITHDRAWN);
                    row.set(CsvColumns.CONSENT_AT, row.slot(UPDATED_AT));
                    return;
                }
                default -> throw new RowParser.BadRow("unknown listmonk status '" + abbreviate(status)
                        + "' (expected enabled, disabled or blocklisted)");
            }
            String subscription = row.slot(SUBSCRIPTION_STATUS).strip().toLowerCase(Locale.ROOT);
            switch (subscription) {
                case "", "unconfirmed" -> row.set(CsvColumns.CONFIRMED_AT, "");
                case "confirmed" -> {
                    // listmonk exports no confirmation time: the subscriber's created_at stands for it
                    String at = row.get(CsvColumns.CONSENT_AT);
                    row.set(CsvColumns.CONFIRMED_AT, at == null ? "" : at);
                }
                case "unsubscribed" -> {
                    // withdrawn before the export, exactly when is not in it: from the import on
                    clearConsent(row);
                    row.set(CsvColumns.STATUS, ConsentStatement.WITHDRAWN);
                }
                default -> throw new RowParser.BadRow("unknown subscription_status '" + abbreviate(subscription)
                        + "' (expected confirmed, unconfirmed or unsubscribed)");
            }
        }
    };

    private static final String TAGS = "tags";
    private static final String LANGUAGE = "language";
    private static final String UNSUB_TIME = "unsub_time";
    private static final String CLEAN_TIME = "clean_time";
    private static final String ATTRIBUTES = "attributes";
    private static final String STATUS = "status";
    private static final String UPDATED_AT = "updated_at";
    private static final String SUBSCRIPTION_STATUS = "subscription_status";
    private static final Pattern LANGUAGE_CODE = Pattern.compile("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*");
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String presetName;
    private final String emailColumn;

    ImportPreset(String presetName, String emailColumn) {
        this.presetName = presetName;
        this.emailColumn = emailColumn;
    }

    /** The preset called {@code name} ({@code --preset}), or one sentence naming those there are. */
    public static ImportPreset named(String name) {
        for (ImportPreset preset : values()) {
            if (preset.presetName.equalsIgnoreCase(name.strip())) {
                return preset;
            }
        }
        throw MailerException.of(ErrorKind.USAGE, "Unknown --preset '" + name + "' (expected mailchimp or listmonk).");
    }

    /** As written after {@code --preset}. */
    public String presetName() {
        return presetName;
    }

    /** The export's column that holds the address. */
    String emailColumn() {
        return emailColumn;
    }

    /** Which of the export's columns become what; columns not named here are handled as in any file. */
    abstract List<Rule> rules();

    /** The mailer columns {@link #finish} may set, given the slots the file has. */
    abstract List<String> writes(Set<String> slots);

    /** Turns the slots of one row into mailer's columns; a row the export marks as unusable is rejected. */
    abstract void finish(HeaderPlan.Row row) throws RowParser.BadRow;

    private static void add(List<Rule> rules, String source, Target target) {
        rules.add(new Rule(source, target, "--preset"));
    }

    /** Empties every consent column of the row (and so the row's consent, unless set again). */
    private static void clearConsent(HeaderPlan.Row row) {
        for (String column : CsvColumns.CONSENT) {
            row.set(column, "");
        }
    }

    /** Mailchimp's TAGS cell: {@code "Customers","VIP"} (or without the quotes). */
    static List<String> mailchimpTags(String value) {
        List<String> tags = new ArrayList<>();
        StringBuilder tag = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < value.length() && value.charAt(i + 1) == '"') {
                    tag.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                addTag(tags, tag);
            } else {
                tag.append(c);
            }
        }
        addTag(tags, tag);
        return tags;
    }

    private static void addTag(List<String> tags, StringBuilder tag) {
        String t = tag.toString().strip();
        if (!t.isEmpty()) {
            tags.add(t);
        }
        tag.setLength(0);
    }

    /** listmonk's attributes: a JSON object, each key an attribute (nested values as their JSON). */
    private static void listmonkAttributes(String value, HeaderPlan.Row row) throws RowParser.BadRow {
        if (value.isBlank()) {
            return;
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new RowParser.BadRow("attributes is not a JSON object");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey().strip();
            if (name.isEmpty() || name.length() > CsvColumns.MAX_ATTRIBUTE_NAME
                    || name.chars().anyMatch(Character::isISOControl)) {
                throw new RowParser.BadRow("attribute '" + abbreviate(name) + "' in attributes has no usable name");
            }
            JsonNode v = field.getValue();
            if (v.isNull()) {
                continue;
            }
            String text = v.isValueNode() ? v.asText() : v.toString();
            if (text.length() > RowParser.MAX_FIELD) {
                throw new RowParser.BadRow("attribute '" + abbreviate(name) + "' in attributes is longer than "
                        + RowParser.MAX_FIELD + " characters");
            }
            if (!text.isBlank()) {
                row.attribute(name, text.strip());
            }
        }
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }
}
