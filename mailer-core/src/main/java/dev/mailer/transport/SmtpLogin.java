package dev.mailer.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * SMTP AUTH (RFC 4954) with the two mechanisms every relay that takes passwords offers: PLAIN
 * (RFC 4616), preferred for its single round trip, and LOGIN. Only ever over TLS, unless the URL
 * says tls=none, which is allowed only towards this machine.
 */
final class SmtpLogin {
    private SmtpLogin() {
    }

    /**
     * Logs in.
     *
     * @return the server's last reply: 235 when logged in
     * @throws UnsupportedOperationException naming the mechanisms when neither PLAIN nor LOGIN is offered
     */
    static SmtpReply login(SmtpWire wire, List<String> offered, String user, String password) throws IOException {
        if (offered.contains("PLAIN")) {
            String response = base64("\0" + user + "\0" + password);
            wire.command("AUTH PLAIN " + response);
            wire.flush();
            return wire.read();
        }
        if (offered.contains("LOGIN")) {
            wire.command("AUTH LOGIN");
            wire.flush();
            SmtpReply reply = wire.read();
            if (reply.code() != 334) {
                return reply;
            }
            wire.command(base64(user));
            wire.flush();
            reply = wire.read();
            if (reply.code() != 334) {
                return reply;
            }
            wire.command(base64(password));
            wire.flush();
            return wire.read();
        }
        throw new UnsupportedOperationException("the relay offers AUTH " + String.join(" ", offered)
                + ", and mailer logs in with PLAIN or LOGIN only");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
