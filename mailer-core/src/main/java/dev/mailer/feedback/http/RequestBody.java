package dev.mailer.feedback.http;

import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Promise;

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

    /**
     * Reads the body as it arrives, without holding a thread while the client is slow (the
     * server calls back when there is more), and refuses it as soon as it passes the cap.
     */
    static void read(Request request, int maxBytes, Promise<byte[]> promise) {
        new Reader(request, maxBytes, promise).run();
    }

    private static final class Reader implements Runnable {
        private final Request request;
        private final int maxBytes;
        private final Promise<byte[]> promise;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Reader(Request request, int maxBytes, Promise<byte[]> promise) {
            this.request = request;
            this.maxBytes = maxBytes;
            this.promise = promise;
        }

        @Override
        public void run() {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this); // called again when more has arrived
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    promise.failed(chunk.getFailure());
                    return;
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                boolean tooLarge = body.size() + bytes.remaining() > maxBytes;
                if (!tooLarge) {
                    byte[] part = new byte[bytes.remaining()];
                    bytes.get(part);
                    body.write(part, 0, part.length);
                }
                boolean last = chunk.isLast();
                chunk.release();
                if (tooLarge) {
                    promise.failed(new TooLarge());
                    return;
                }
                if (last) {
                    promise.succeeded(body.toByteArray());
                    return;
                }
            }
        }
    }

    /**
     * {@code application/x-www-form-urlencoded} fields; the first value of a repeated name wins,
     * and malformed escapes make the field empty rather than the request fail.
     */
    static Map<String, String> form(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        formFields(body).forEach((name, values) -> fields.put(name, values.get(0)));
        return fields;
    }

    /** Every value of every field, in the order sent (repeatable fields such as {@code purpose}). */
    static Map<String, java.util.List<String>> formFields(byte[] body) {
        Map<String, java.util.List<String>> fields = new java.util.LinkedHashMap<>();
        String text = new String(body, StandardCharsets.UTF_8);
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            fields.computeIfAbsent(name.strip(), n -> new java.util.ArrayList<>()).add(value.strip());
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
