package dev.mailer.campaign;

import dev.mailer.reply.LimitedBy;
import dev.mailer.reply.ReplyVerdict;
import dev.mailer.transport.SendResult;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The requests to slow down of one run (SPEC §6a rate limit), per recipient domain (its provider's
 * pace) or for the relay: for the warnings of the report and the progress line, and the words that
 * stand for the rows deferred without being tried. Thread-safe.
 */
final class RateLimits {
    /**
     * @param domain null when the relay asked, for every recipient
     * @param count  rows deferred for it, tried or not
     */
    record Observed(String domain, long count, SendResult first, ReplyVerdict verdict) {
    }

    private final Map<String, Observed> byScope = new LinkedHashMap<>();

    /**
     * A reply asked to slow down; {@code domain} is the recipient's.
     *
     * @return what the progress line says about it
     */
    synchronized String record(String domain, SendResult result, ReplyVerdict verdict, Instant resumesAt) {
        String scope = verdict.limitedBy() == LimitedBy.PROVIDER ? domain : null;
        Observed seen = byScope.get(scope);
        byScope.put(scope, seen == null ? new Observed(scope, 1, result, verdict)
                : new Observed(scope, seen.count() + 1, seen.first(), seen.verdict()));
        String who = scope == null ? "the relay" : scope
                + (verdict.provider() == null ? "" : " (" + verdict.provider() + ")");
        return who + " asked to slow down (" + result.reply() + "): on one connection"
                + (resumesAt == null ? "" : " from " + resumesAt.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Counts a row of the domain deferred without trying it, while its provider's pause lasts. */
    synchronized void deferredUntried(String domain) {
        Observed seen = byScope.get(domain);
        if (seen != null) {
            byScope.put(domain, new Observed(domain, seen.count() + 1, seen.first(), seen.verdict()));
        }
    }

    /** What the domain's provider said when it asked to slow down, or empty. */
    synchronized Optional<Observed> of(String domain) {
        return Optional.ofNullable(byScope.get(domain));
    }

    synchronized boolean any() {
        return !byScope.isEmpty();
    }

    synchronized List<Observed> observed() {
        return new ArrayList<>(byScope.values());
    }
}
