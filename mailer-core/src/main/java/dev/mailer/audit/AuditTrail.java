package dev.mailer.audit;

import java.util.Map;

/**
 * Who did what, when, from where. A person is named only by the hash of the normalized address, so
 * the trail itself needs no erasing. Written inside the caller's unit of work, so an action and its
 * audit row are stored together or not at all.
 */
public interface AuditTrail {
    /**
     * @param actor           who acted, e.g. {@code cli anna@host} or {@code feedback poll}
     * @param action          what was done, e.g. {@code consent.grant}
     * @param normalizedEmail the person concerned, or null when the action concerns no one person
     */
    void record(String actor, String action, String normalizedEmail, Map<String, ?> detail);
}
