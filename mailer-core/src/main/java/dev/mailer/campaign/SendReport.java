package dev.mailer.campaign;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.mailer.audience.ExclusionReason;
import dev.mailer.audience.GateReport;
import java.util.LinkedHashMap;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The result of {@code send}, dry or not: the object SPEC §6 prints with {@code --json}.
 *
 * @param excluded every reason code in gate order, zero included
 * @param rendered       messages a dry run rendered in memory; null when it did not get that far
 * @param elapsedSeconds null for a dry run
 */
public record SendReport(String campaign, boolean dryRun, long considered, long eligible, Map<String, Long> excluded,
                         long sent, long failed, long deferred, long unknown, List<CampaignError> errors,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Long rendered,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double elapsedSeconds,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double messagesPerSecond,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Long pending,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String nextAttemptAt,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Long withOtherSenders,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Long held,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<SendWarning> warnings) {

    /** @param rendered messages rendered in memory, or null when templates were not looked at */
    public static SendReport dryRun(String campaign, GateReport gate, List<CampaignError> errors, Long rendered) {
        return new SendReport(campaign, true, gate.considered(), gate.eligible(), codes(gate), 0, 0, 0, 0,
                List.copyOf(errors), rendered, null, null, null, null, null, null, null);
    }

    /**
     * After a real send: the campaign's delivery figures so far, and this run's speed.
     *
     * @param pending          rows not yet tried (left by --limit, or held by another sender)
     * @param nextAttemptAt    when the earliest deferred row is due again; null when none is deferred
     * @param withOtherSenders rows live cooperating senders were sending when this run ended
     * @param held             rows held back because the relay or a provider refuses the sender
     * @param warnings         what the relay or the providers said that the person must act on
     */
    public static SendReport sent(String campaign, GateReport gate, long sent, long failed, long deferred, long unknown,
                                  double elapsedSeconds, double messagesPerSecond, long pending,
                                  Instant nextAttemptAt, long withOtherSenders, long held,
                                  List<SendWarning> warnings) {
        return new SendReport(campaign, false, gate.considered(), gate.eligible(), codes(gate), sent, failed, deferred,
                unknown, List.of(), null, Math.round(elapsedSeconds * 100) / 100.0,
                Math.round(messagesPerSecond * 10) / 10.0, pending,
                nextAttemptAt == null ? null : nextAttemptAt.truncatedTo(ChronoUnit.SECONDS).toString(),
                withOtherSenders, held, List.copyOf(warnings));
    }

    /** A campaign that could not even be read: no counts, only its errors. */
    public static SendReport invalid(String campaign, boolean dryRun, List<CampaignError> errors) {
        return new SendReport(campaign, dryRun, 0, 0, codes(null), 0, 0, 0, 0, List.copyOf(errors), null, null, null,
                null, null, null, null, null);
    }

    /** The same report with these warnings (a dry run's about the audience). */
    public SendReport withWarnings(List<SendWarning> more) {
        return new SendReport(campaign, dryRun, considered, eligible, excluded, sent, failed, deferred, unknown, errors,
                rendered, elapsedSeconds, messagesPerSecond, pending, nextAttemptAt, withOtherSenders, held,
                List.copyOf(more));
    }

    /** The same report with these campaign-level errors (a template that stopped a send). */
    public SendReport withErrors(List<CampaignError> more) {
        List<CampaignError> all = new java.util.ArrayList<>(errors);
        all.addAll(more);
        return new SendReport(campaign, dryRun, considered, eligible, excluded, sent, failed, deferred, unknown,
                List.copyOf(all), rendered, elapsedSeconds, messagesPerSecond, pending, nextAttemptAt, withOtherSenders,
                held, warnings);
    }

    public boolean valid() {
        return errors.isEmpty();
    }

    private static Map<String, Long> codes(GateReport gate) {
        Map<String, Long> excluded = new LinkedHashMap<>();
        for (ExclusionReason reason : ExclusionReason.values()) {
            excluded.put(reason.code(), gate == null ? 0L : gate.excluded(reason));
        }
        return excluded;
    }
}
