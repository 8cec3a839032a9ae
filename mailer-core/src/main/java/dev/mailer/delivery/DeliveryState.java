package dev.mailer.delivery;

/**
 * Where one delivery row stands (the {@code delivery.status} column, bound by {@link #code()}).
 * A row starts {@link #PENDING}; a sender makes it {@link #SENDING} just before its DATA goes out
 * and then gives it its outcome. A row left {@code SENDING} by a sender that died is
 * {@link #UNKNOWN}: nobody knows whether it arrived. A row whose message the relay or the
 * receiving provider refused because of the sender is {@link #HELD}: the next run sends it. Rows
 * still to be sent when the campaign was cancelled are {@link #CANCELLED}, and never sent.
 */
public enum DeliveryState {
    PENDING("pending"),
    SENDING("sending"),
    SENT("sent"),
    DEFERRED("deferred"),
    FAILED("failed"),
    SKIPPED("skipped"),
    UNKNOWN("unknown"),
    HELD("held"),
    CANCELLED("cancelled");

    private final String code;

    DeliveryState(String code) {
        this.code = code;
    }

    /** The name stored in the database and shown in reports. */
    public String code() {
        return code;
    }

    public static DeliveryState ofCode(String code) {
        for (DeliveryState state : values()) {
            if (state.code.equals(code)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown delivery status " + code);
    }
}
