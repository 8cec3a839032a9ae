package dev.mailer.audience;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** How many contacts the gate considered, let through, and kept out for each reason. */
public record GateReport(long considered, long eligible, Map<ExclusionReason, Long> excluded) {

    public GateReport {
        EnumMap<ExclusionReason, Long> all = new EnumMap<>(ExclusionReason.class);
        for (ExclusionReason reason : ExclusionReason.values()) {
            all.put(reason, excluded.getOrDefault(reason, 0L));
        }
        excluded = Collections.unmodifiableMap(all);
    }

    public long excluded(ExclusionReason reason) {
        return excluded.get(reason);
    }
}
