package dev.mailer.reply;

/** Why a reply or bounce refused a message: the {@code reason} of SPEC §7. */
public enum Reason {
    USER_UNKNOWN("user_unknown"),
    HOST_UNKNOWN("host_unknown"),
    MAILBOX_FULL("mailbox_full"),
    MAILBOX_DISABLED("mailbox_disabled"),
    AUTH_FAILED("auth_failed"),
    BLOCKED("blocked"),
    CONTENT("content"),
    RATE_LIMITED("rate_limited"),
    EXPIRED("expired"),
    POLICY("policy"),
    OTHER("other");

    private final String json;

    Reason(String json) {
        this.json = json;
    }

    public String json() {
        return json;
    }
}
