package dev.mailer.feedback.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A request body read with a cap: the endpoints need a few bytes of form data, so anything
 * larger is refused before it is read (by Content-Length) or as soon as it passes the cap
 * (chunked), and no client can make the server hold more than the cap in memory.
 */
final class RequestBody {
    private RequestBody() {
    }

    /** The body is larger than the server accepts. */
    static final class TooLarge extends Exception {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    static byte[] read(HttpExchange exchange, int maxBytes) throws IOException, TooLarge {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > maxBytes) {
                    throw new TooLarge();
                }
            } catch (NumberFormatException e) {
                throw new TooLarge(); // the JDK server refuses these itself; never read an unknown length
            }
        }
        InputStream in = exchange.getRequestBody();
        byte[] body = in.readNBytes(maxBytes + 1);
        if (body.length > maxBytes) {
            throw new TooLarge();
        }
        return body;
    }

    /**
     * {@code application/x-www-form-urlencoded} fields; the first value of a repeated name wins,
     * and malformed escapes make the field empty rather than the request fail.
     */
    static Map<String, String> form(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        String text = new String(body, StandardCharsets.UTF_8);
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            fields.putIfAbsent(name.strip(), value.strip());
        }
        return fields;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return "";
        }
    }
}
