package dev.mailer.campaign;

import dev.mailer.audience.GateReport;
import dev.mailer.audience.Recipient;
import dev.mailer.message.MessageSettings;
import dev.mailer.template.TemplateProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * {@code send --dry-run}: checks the campaign, reports who would be mailed and why the others would
 * not, and renders every eligible recipient's message in memory (streamed, never collected) so that
 * a template failing for anyone shows now, not halfway through a send. Sends nothing, writes nothing.
 */
public final class DryRun {
    /** Distinct failure messages listed; more are summed into the last entry. */
    static final int MAX_LISTED_FAILURES = 20;
    private static final int BATCH = 256;

    private final CampaignPorts ports;

    public DryRun(CampaignPorts ports) {
        this.ports = ports;
    }

    /** The gate's report only, without looking at templates (the foundation's dry run, and benchmarks). */
    public SendReport gateOnly(CampaignSpec spec) {
        return SendReport.dryRun(spec.name(), gate(spec, campaignId(spec)), List.of(), null);
    }

    /**
     * The full dry run.
     *
     * @param progress told how many messages were rendered, every so often; may be null
     */
    public SendReport run(CampaignSpec spec, MessageSettings settings, Path templatesDir, LongConsumer progress) {
        Long campaignId = campaignId(spec);
        GateReport gate = gate(spec, campaignId);
        List<CampaignError> errors = new ArrayList<>();
        AtomicLong rendered = new AtomicLong();
        try {
            CampaignMessages messages = CampaignMessages.prepare(spec, settings, templatesDir);
            errors.addAll(renderAll(spec, messages, campaignId, rendered, progress));
            for (CampaignError error : TemplateLinkCheck.check(spec, messages, templatesDir)) {
                // the same fault found with real recipients is listed once, with their number
                if (errors.stream().noneMatch(e -> e.code().equals(error.code())
                        && error.message().startsWith(e.message().replaceAll(" \\(\\d+ recipients?\\)$", "")))) {
                    errors.add(error);
                }
            }
        } catch (CampaignInvalid invalid) {
            errors.addAll(invalid.errors());
            return SendReport.dryRun(spec.name(), gate, errors, null).withWarnings(warnings(spec, gate));
        }
        return SendReport.dryRun(spec.name(), gate, errors, rendered.get()).withWarnings(warnings(spec, gate));
    }

    private List<SendWarning> warnings(CampaignSpec spec, GateReport gate) {
        return AudienceWarnings.of(spec, gate, ports.campaigns().audienceValues());
    }

    private Long campaignId(CampaignSpec spec) {
        return ports.campaigns().findId(spec.name()).orElse(null);
    }

    private GateReport gate(CampaignSpec spec, Long campaignId) {
        return ports.gate().report(spec.gateRules(campaignId));
    }

    private List<CampaignError> renderAll(CampaignSpec spec, CampaignMessages messages, Long campaignId,
                                          AtomicLong rendered, LongConsumer progress) {
        long id = campaignId == null ? 0 : campaignId;
        Map<String, Failure> failures = new LinkedHashMap<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "dry-run-render");
            thread.setDaemon(true);
            return thread;
        });
        Semaphore inFlight = new Semaphore(threads * 2);
        try {
            List<Recipient> batch = new ArrayList<>(BATCH);
            ports.gate().streamEligible(spec.gateRules(campaignId), recipient -> {
                batch.add(recipient);
                if (batch.size() == BATCH) {
                    submit(pool, inFlight, List.copyOf(batch), messages, id, failures, rendered, progress, abandoned);
                    batch.clear();
                }
            });
            submit(pool, inFlight, List.copyOf(batch), messages, id, failures, rendered, progress, abandoned);
            inFlight.acquireUninterruptibly(threads * 2);
        } finally {
            pool.shutdownNow();
        }
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<CampaignError> errors = new ArrayList<>();
        synchronized (failures) {
            for (Failure failure : failures.values()) {
                errors.add(new CampaignError(failure.code, failure.message + " (" + failure.count + " recipient"
                        + (failure.count == 1 ? "" : "s") + ")"));
            }
        }
        return errors;
    }

    /**
     * Renders a batch on the pool. A {@link TemplateProblem#fatal() fatal} problem (recursion without
     * end, the size cap, memory) abandons the rest of the dry run: every other message would only
     * repeat it, each at the same cost. No Error ends a rendering thread unreported.
     */
    private static void submit(ExecutorService pool, Semaphore inFlight, List<Recipient> batch,
                               CampaignMessages messages, long campaignId, Map<String, Failure> failures,
                               AtomicLong rendered, LongConsumer progress, AtomicBoolean abandoned) {
        if (batch.isEmpty() || abandoned.get()) {
            return;
        }
        inFlight.acquireUninterruptibly();
        pool.execute(() -> {
            try {
                int done = 0;
                for (Recipient recipient : batch) {
                    if (abandoned.get()) {
                        break;
                    }
                    done++;
                    try {
                        messages.render(recipient, campaignId);
                    } catch (TemplateProblem problem) {
                        record(failures, problem.code(), problem.getMessage());
                        if (problem.fatal()) {
                            abandoned.set(true);
                        }
                    } catch (RuntimeException e) {
                        record(failures, "template_render", "Rendering failed: " + e.getMessage());
                    } catch (Error e) {
                        record(failures, "template_render", "Rendering failed: " + e);
                        abandoned.set(true);
                    }
                }
                long total = rendered.addAndGet(done);
                if (progress != null) {
                    progress.accept(total);
                }
            } finally {
                inFlight.release();
            }
        });
    }

    private static void record(Map<String, Failure> failures, String code, String message) {
        synchronized (failures) {
            Failure failure = failures.get(message);
            if (failure == null && failures.size() >= MAX_LISTED_FAILURES) {
                failure = failures.computeIfAbsent("\0more", k -> new Failure(code, "Other rendering failures"));
            }
            if (failure == null) {
                failure = new Failure(code, message);
                failures.put(message, failure);
            }
            failure.count++;
        }
    }

    private static final class Failure {
        final String code;
        final String message;
        long count;

        Failure(String code, String message) {
            this.code = code;
            this.message = message;
        }
    }
}
