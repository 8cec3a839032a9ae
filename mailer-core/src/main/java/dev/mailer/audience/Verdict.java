package dev.mailer.audience;

/**
 * How the gate judges one contact of the audience.
 *
 * @param reason the first rule that fails, or null when the contact is eligible
 */
public record Verdict(Recipient recipient, ExclusionReason reason) {
    public boolean eligible() {
        return reason == null;
    }
}
