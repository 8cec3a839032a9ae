package dev.mailer.reply;

/** Whose fault a refusal or a bounce is (SPEC §6a): it decides what happens to the recipient's row. */
public enum Fault {
    /** The address or mailbox: fail (or defer) the row; hard ones suppress the address. */
    RECIPIENT("recipient"),
    /** The relay or the receiving provider refuses the sender: hold the row, suppress nobody. */
    SENDER("sender"),
    /** Too fast for the relay or the provider: slow down and retry, fail nobody. */
    RATE_LIMIT("rate_limit"),
    /** The relay itself cannot be used (refused, TLS, authentication): its breaker, failover. */
    RELAY("relay");

    private final String json;

    Fault(String json) {
        this.json = json;
    }

    public String json() {
        return json;
    }
}
