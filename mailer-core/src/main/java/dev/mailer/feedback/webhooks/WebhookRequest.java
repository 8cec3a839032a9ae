package dev.mailer.feedback.webhooks;

import java.util.Locale;
import java.util.Map;

/**
 * One complete request to a webhook, as the HTTP server read it: the body is read to its end (within
 * the webhooks' cap) before a provider sees it.
 *
 * @param headers the first value of each header, by lower-case name
 * @param body    the raw body, exactly as sent: signatures are over these bytes
 */
public record WebhookRequest(Map<String, String> headers, byte[] body) {
    public WebhookRequest {
        headers = Map.copyOf(headers);
    }

    /** The header's first value, or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
