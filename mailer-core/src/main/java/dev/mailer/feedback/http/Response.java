package dev.mailer.feedback.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One answer, complete before a byte is written: a handler never streams, so a failure half-way
 * cannot leave a client with half a page and a 200.
 *
 * @param headers extra headers (e.g. {@code Allow}) besides those every response gets
 */
record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

    static Response html(int status, String html) {
        return new Response(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Response text(int status, String text) {
        return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** 303 See Other: after a POST, the browser GETs the location. */
    static Response redirect(String location) {
        return new Response(303, "text/plain; charset=utf-8", new byte[0], Map.of("Location", location));
    }

    Response withHeader(String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(name, value);
        return new Response(status, contentType, body, Map.copyOf(all));
    }
}
