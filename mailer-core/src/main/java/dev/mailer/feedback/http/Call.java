package dev.mailer.feedback.http;

import dev.mailer.feedback.webhooks.Webhooks;
import java.util.Locale;
import java.util.Map;

/**
 * One request as the endpoints see it, whichever server read it: complete (the body is read
 * before an endpoint runs), so an endpoint never waits on a client.
 *
 * @param path     the raw path, still percent-encoded
 * @param headers  the first value of each header, by lower-case name
 * @param remoteIp the peer's address (the proxy's, behind one)
 */
record Call(String method, String path, Map<String, String> headers, byte[] body, String remoteIp) {
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The route without its token, for logs: a token names a person. */
    String routeName() {
        if (path.startsWith("/u/")) {
            return "/u/…";
        }
        if (path.startsWith("/c/")) {
            return "/c/…";
        }
        if (path.startsWith("/p/")) {
            return "/p/…";
        }
        if (path.startsWith(Webhooks.PATH)) {
            // the provider's name, from the fixed list: never what a client wrote there
            return Webhooks.PROVIDERS.contains(path.substring(Webhooks.PATH.length())) ? path : Webhooks.PATH + "…";
        }
        return path.equals("/healthz") || path.equals("/subscribe") ? path : "(other)";
    }
}
