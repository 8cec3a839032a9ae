package dev.mailer.feedback.webhooks;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request tokens seen within their time window, so that a signed request captured on the way
 * cannot be posted again while its timestamp is still fresh. Bounded: past the capacity the oldest
 * are forgotten (recording is idempotent by event id anyway, so a forgotten token lets a replay
 * change nothing). A token is claimed before its events are recorded and released when recording
 * fails, so the provider's retry of a request that got 503 is not refused as a replay.
 */
final class ReplayCache {
    private final int capacity;
    /** token → second after which its timestamp is stale anyway; in order of claiming */
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

    ReplayCache(int capacity) {
        this.capacity = capacity;
    }

    /** @return false when the token was claimed before and is still within its window */
    synchronized boolean claim(String token, long staleAfter, long now) {
        for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() >= now) {
                break; // claimed in time order, near enough: the rest are younger
            }
            it.remove();
        }
        if (seen.containsKey(token)) {
            return false;
        }
        if (seen.size() >= capacity) {
            Iterator<String> eldest = seen.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        seen.put(token, staleAfter);
        return true;
    }

    /** Forgets a claim whose events were not recorded, so the provider's retry is taken. */
    synchronized void release(String token) {
        seen.remove(token);
    }

    synchronized int size() {
        return seen.size();
    }
}
