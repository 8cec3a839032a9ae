package dev.mailer.feedback.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** The webhooks' JSON: strict (one document, nothing after it), read into a tree. */
final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The body is not one JSON document. */
    static final class Malformed extends Exception {
        Malformed() {
            super(null, null, false, false);
        }
    }

    private Json() {
    }

    /** The body as one JSON document (UTF-8, as every provider sends). */
    static JsonNode read(byte[] body) throws Malformed {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new Malformed();
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new Malformed();
        } catch (IOException e) {
            throw new Malformed(); // a byte array is never short of input, but the reader may say so
        }
    }

    /** The same for text (SNS carries SES's notification as a string in the envelope). */
    static JsonNode read(String text) throws Malformed {
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new Malformed();
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new Malformed();
        }
    }

    /** The field's text, stripped; null when absent, not text, or blank. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isTextual() || value.isNumber()) {
            String text = value.asText().strip();
            return text.isEmpty() ? null : text;
        }
        return null;
    }
}
