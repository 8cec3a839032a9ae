package dev.mailer.audience;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/** How many contacts the gate considered, let through, and kept out for each reason. */
public record GateReport(long considered, long eligible, Map<ExclusionReason, Long> excluded) {
    /** Nobody considered yet. */
    public static final GateReport NONE = new GateReport(0, 0, Map.of());

    public GateReport {
        EnumMap<ExclusionReason, Long> all = new EnumMap<>(ExclusionReason.class);
        for (ExclusionReason reason : ExclusionReason.values()) {
            all.put(reason, excluded.getOrDefault(reason, 0L));
        }
        excluded = Collections.unmodifiableMap(all);
    }

    /** From contacts counted per reason, the null key counting the eligible ones. */
    public static GateReport of(Map<ExclusionReason, Long> byReason) {
        Map<ExclusionReason, Long> counts = new HashMap<>(byReason);
        Long eligible = counts.remove(null);
        long let = eligible == null ? 0 : eligible;
        long considered = let + counts.values().stream().mapToLong(Long::longValue).sum();
        return new GateReport(considered, let, counts);
    }

    /** This report and {@code other}, of two disjoint sets of contacts, as one. */
    public GateReport plus(GateReport other) {
        EnumMap<ExclusionReason, Long> sum = new EnumMap<>(excluded);
        other.excluded.forEach((reason, count) -> sum.merge(reason, count, Long::sum));
        return new GateReport(considered + other.considered, eligible + other.eligible, sum);
    }

    public long excluded(ExclusionReason reason) {
        return excluded.get(reason);
    }
}
