package dev.mailer.suppression;

/**
 * When soft bounces add up to a suppression: one full mailbox is no reason to stop mailing
 * someone, the same failure again and again is.
 *
 * @param limit      how many soft bounces suppress the address
 * @param windowDays within how many days they must fall
 */
public record SoftBouncePolicy(int limit, int windowDays) {
    public static final SoftBouncePolicy DEFAULT = new SoftBouncePolicy(3, 30);

    public SoftBouncePolicy {
        if (limit < 1 || windowDays < 1) {
            throw new IllegalArgumentException("the soft-bounce limit and window must be at least 1");
        }
    }
}
