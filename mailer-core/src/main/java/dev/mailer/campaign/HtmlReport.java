package dev.mailer.campaign;

import freemarker.template.Configuration;
import freemarker.template.DefaultObjectWrapperBuilder;
import freemarker.template.Template;
import freemarker.core.TemplateClassResolver;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mailer report NAME --html FILE}: the report as one self-contained page — outcome totals,
 * exclusions by reason, the sending curve, answers by domain, warnings — with its styles and its
 * chart inline (an SVG drawn here), nothing fetched from anywhere, every value escaped by the
 * template's HTML output format.
 */
public final class HtmlReport {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
    private static final int CHART_WIDTH = 600;
    private static final int CHART_HEIGHT = 160;
    private static final Configuration FREEMARKER = configuration();

    private HtmlReport() {
    }

    public static String render(CampaignReport report, CampaignPicture picture) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("campaign", report.campaign());
        model.put("status", report.status().code());
        model.put("first", when(report.firstSentAt()));
        model.put("last", when(report.lastSentAt()));
        model.put("throughput", report.messagesPerSecond() == null ? ""
                : String.format("%.1f messages/s (%.0f/min)", report.messagesPerSecond(),
                report.messagesPerSecond() * 60));
        model.put("generated", WHEN.format(OffsetDateTime.now()));
        model.put("totals", bars(List.of(
                entry("sent", report.sent()), entry("failed", report.failed()),
                entry("deferred", report.deferred()), entry("held (sender refused)", report.held()),
                entry("pending", report.pending()), entry("unknown (in doubt)", report.unknown()),
                entry("skipped", report.skipped()), entry("cancelled", report.cancelled()))));
        model.put("feedback", bars(List.of(
                entry("bounced hard", report.bouncedHard()), entry("bounced soft", report.bouncedSoft()),
                entry("complaints", report.complaints()), entry("unsubscribes", report.unsubscribes()))));
        List<Map.Entry<String, Long>> excluded = new ArrayList<>();
        report.excluded().forEach((reason, count) -> {
            if (count > 0) {
                excluded.add(entry(reason, count));
            }
        });
        model.put("considered", report.considered());
        model.put("excluded", bars(excluded));
        model.put("curve", curve(picture.curve()));
        model.put("curveFrom", whenExactly(report.firstSentAt()));
        model.put("curveTo", whenExactly(report.lastSentAt()));
        model.put("curvePeak", picture.curve().stream().mapToLong(Long::longValue).max().orElse(0));
        model.put("curveSlice", sliceLength(report, picture.curve().size()));
        model.put("chartWidth", CHART_WIDTH);
        model.put("chartHeight", CHART_HEIGHT);
        List<Map<String, Object>> domains = new ArrayList<>();
        for (CampaignPicture.Domain d : picture.domains()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("domain", d.domain() == null || d.domain().isEmpty() ? "(erased)" : d.domain());
            row.put("sent", d.sent());
            row.put("hard", d.bouncedHard());
            row.put("soft", d.bouncedSoft());
            row.put("complaints", d.complaints());
            row.put("complaintRate", d.sent() == 0 ? "" : String.format("%.2f%%", 100.0 * d.complaints() / d.sent()));
            domains.add(row);
        }
        model.put("domains", domains);
        List<Map<String, Object>> warnings = new ArrayList<>();
        for (SendWarning w : report.warnings()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("code", w.code());
            row.put("domain", w.domain() == null ? "the relay" : w.domain());
            row.put("count", w.count());
            row.put("reply", w.reply() == null ? "" : w.reply());
            row.put("hint", w.hint() == null ? "" : w.hint());
            warnings.add(row);
        }
        model.put("warnings", warnings);
        try {
            Template template = FREEMARKER.getTemplate("report.ftlh");
            StringWriter out = new StringWriter();
            template.process(model, out);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TemplateException e) {
            throw new IllegalStateException("the report template failed: " + e.getMessage(), e);
        }
    }

    private static Map.Entry<String, Long> entry(String label, long value) {
        return Map.entry(label, value);
    }

    /** Rows with their share of the largest, for CSS bars. */
    private static List<Map<String, Object>> bars(List<Map.Entry<String, Long>> entries) {
        long max = entries.stream().mapToLong(Map.Entry::getValue).max().orElse(0);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : entries) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("label", e.getKey());
            row.put("value", e.getValue());
            row.put("width", max == 0 ? 0 : Math.max(e.getValue() > 0 ? 1 : 0, Math.round(100.0 * e.getValue() / max)));
            rows.add(row);
        }
        return rows;
    }

    /** The SVG polyline's points, or "" when nothing was sent. */
    private static String curve(List<Long> slices) {
        if (slices.isEmpty()) {
            return "";
        }
        long max = slices.stream().mapToLong(Long::longValue).max().orElse(1);
        StringBuilder points = new StringBuilder();
        int n = slices.size();
        for (int i = 0; i < n; i++) {
            double x = n == 1 ? CHART_WIDTH / 2.0 : (double) CHART_WIDTH * i / (n - 1);
            double y = CHART_HEIGHT - (double) CHART_HEIGHT * slices.get(i) / Math.max(1, max);
            points.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return points.toString().strip();
    }

    private static String whenExactly(OffsetDateTime time) {
        return time == null ? "" : DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .format(time.atZoneSameInstant(ZoneId.systemDefault()));
    }

    /** How long one slice of the curve is, in words: "2 s", "5 min". */
    private static String sliceLength(CampaignReport report, int slices) {
        if (report.firstSentAt() == null || slices < 2) {
            return "";
        }
        long seconds = Math.max(1, java.time.Duration.between(report.firstSentAt(), report.lastSentAt()).toSeconds()
                / 60);
        return seconds == 1 ? "second" : seconds < 120 ? seconds + " s" : seconds < 7200 ? seconds / 60 + " min"
                : seconds / 3600 + " h";
    }

    private static String when(OffsetDateTime time) {
        return time == null ? "" : WHEN.format(time.atZoneSameInstant(ZoneId.systemDefault()));
    }

    private static Configuration configuration() {
        Configuration configuration = new Configuration(Configuration.VERSION_2_3_34);
        configuration.setClassForTemplateLoading(HtmlReport.class, "/dev/mailer/campaign");
        configuration.setDefaultEncoding("UTF-8");
        configuration.setRecognizeStandardFileExtensions(true); // .ftlh: HTML auto-escaping
        configuration.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        configuration.setLogTemplateExceptions(false);
        configuration.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
        configuration.setAPIBuiltinEnabled(false);
        configuration.setObjectWrapper(new DefaultObjectWrapperBuilder(Configuration.VERSION_2_3_34).build());
        configuration.setNumberFormat("computer");
        return configuration;
    }
}
