package dev.mailer.feedback.http;

import java.util.regex.Pattern;

/**
 * Who sent a request, as far as the request says: kept as proof with a confirmation and an
 * unsubscribe. Behind a reverse proxy the socket's peer is the proxy, so the first
 * {@code X-Forwarded-For} entry is used instead, but only when the operator said the proxy is
 * trusted: otherwise any client could write whatever address it liked into the evidence.
 */
record Client(String ip, String userAgent) {
    /** IPv4 and IPv6 literals (an IPv6 may embed IPv4); anything else in the header is ignored. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final int MAX_USER_AGENT = 512;

    static Client of(Call call, boolean trustProxy) {
        return new Client(ip(call, trustProxy), userAgent(call.header("User-Agent")));
    }

    private static String ip(Call call, boolean trustProxy) {
        if (trustProxy) {
            String forwarded = call.header("X-Forwarded-For");
            if (forwarded != null) {
                String first = forwarded.split(",", 2)[0].strip();
                if (first.startsWith("[") && first.contains("]")) {
                    first = first.substring(1, first.indexOf(']')); // [v6]:port
                } else if (first.indexOf(':') > 0 && first.indexOf(':') == first.lastIndexOf(':')) {
                    first = first.substring(0, first.indexOf(':')); // v4:port
                }
                if (IP_LITERAL.matcher(first).matches()) {
                    return first;
                }
            }
        }
        return call.remoteIp();
    }

    private static String userAgent(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String clean = header.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() > MAX_USER_AGENT ? clean.substring(0, MAX_USER_AGENT) : clean;
    }
}
