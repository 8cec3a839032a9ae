package dev.mailer.audience;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A campaign's gate rules as stored with the campaign, so that {@code mailer report} can show
 * who is excluded and why without the campaign file at hand.
 */
public final class GateRulesJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GateRulesJson() {
    }

    public static String write(GateRules rules) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("purpose", rules.purpose());
        map.put("requireConfirmed", rules.requireConfirmed());
        map.put("allowExistingCustomers", rules.allowExistingCustomers());
        map.put("maxConsentAge", rules.maxConsentAge() == null ? null : rules.maxConsentAge().toString());
        map.put("minimumAge", rules.minimumAge());
        map.put("tags", rules.tags());
        map.put("locales", rules.locales());
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rules back, for the stored campaign {@code campaignId}; null when none were stored. */
    public static GateRules read(String json, long campaignId) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.has("purpose")) {
                return null;
            }
            return new GateRules(node.get("purpose").asText(), node.get("requireConfirmed").asBoolean(),
                    node.get("allowExistingCustomers").asBoolean(),
                    node.get("maxConsentAge").isNull() ? null : Period.parse(node.get("maxConsentAge").asText()),
                    node.get("minimumAge").asInt(), strings(node.get("tags")), strings(node.get("locales")), campaignId);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
