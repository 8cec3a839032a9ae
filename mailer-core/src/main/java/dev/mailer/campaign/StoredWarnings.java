package dev.mailer.campaign;

import dev.mailer.delivery.DeliveryState;
import dev.mailer.reply.Fault;
import dev.mailer.reply.LimitedBy;
import dev.mailer.reply.Replies;
import dev.mailer.reply.ReplyVerdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The warnings of a campaign as its rows stand (SPEC §6a, {@code report}): held rows by the domain
 * whose provider (or the relay) refused the sender, and rows deferred because a relay or a provider
 * asked to slow down. Read from the relay's words kept on each row, classified as at send time.
 */
final class StoredWarnings {
    private StoredWarnings() {
    }

    /** @param refusals the most frequent groups first, so the first reply of a warning is its commonest */
    static List<SendWarning> of(List<CampaignRecords.Refusal> refusals) {
        Map<List<String>, SendWarning> warnings = new LinkedHashMap<>();
        for (CampaignRecords.Refusal refusal : refusals) {
            ReplyVerdict verdict = Replies.classify(refusal.code(), refusal.enhancedStatus(), refusal.reply());
            String code;
            String domain;
            if (refusal.status() == DeliveryState.HELD) {
                code = SendWarning.SENDER_FAULT;
                domain = refusal.domain();
            } else if (verdict.fault() == Fault.RATE_LIMIT) {
                code = SendWarning.RATE_LIMITED;
                domain = verdict.limitedBy() == LimitedBy.PROVIDER ? refusal.domain() : null;
            } else {
                continue; // an ordinary deferral: the backoff's business, not the person's
            }
            List<String> key = new ArrayList<>();
            key.add(code);
            key.add(domain);
            SendWarning seen = warnings.get(key);
            warnings.put(key, seen == null
                    ? new SendWarning(code, domain, refusal.rows(), refusal.reply(), verdict.hint())
                    : new SendWarning(code, domain, seen.count() + refusal.rows(), seen.reply(), seen.hint()));
        }
        return List.copyOf(warnings.values());
    }
}
