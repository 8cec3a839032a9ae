package dev.mailer.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mailer.message.TokenSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The parser against the shared set of real bounces (shared/bounces beside the repository,
 * never copied into it): for each bounced recipient it must find that address and its hard/soft
 * class. The set is for training; an unseen part of the same corpus measures the parser, so a
 * failure here is fixed by a general rule, never by a rule for one file.
 */
class SharedBouncesTest {
    /**
     * The score reached so far (297 of 308, 96.4%), as a floor against regressions. The goal of
     * the provider-aware issue is 97% on unseen mail; what stands in the way is listed in the
     * output of this test and in docs/ARCHITECTURE.md, not hidden by a lower goal. Of the 11
     * misses, 10 are rows this parser answers differently on purpose (Original-Recipient, the
     * address we sent to, over Final-Recipient; a null MX is hard) or addresses the mail does
     * not contain; one (rfc3464-01) contradicts its own report.
     */
    private static final double REQUIRED_SHARE = 0.97;
    private static final FeedbackParser PARSER = new FeedbackParser(new TokenSigner(new byte[32]));

    @Test
    void findsTheRecipientAndItsClassInRealBounces() throws IOException {
        Path dir = sharedBounces();
        List<String> lines = Files.readAllLines(dir.resolve("expected.tsv"), StandardCharsets.UTF_8);
        Map<String, List<Feedback>> parsed = new HashMap<>();
        Map<String, List<String>> wrongByFamily = new TreeMap<>();
        int total = 0;
        int right = 0;
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            String file = f[0];
            String recipient = f[1].toLowerCase(Locale.ROOT);
            String expected = f[4].strip();
            total++;
            List<Feedback> entries = parsed.computeIfAbsent(file, name -> parse(dir.resolve("messages").resolve(name)));
            Feedback found = entries.stream()
                    .filter(e -> e.recipient() != null && e.recipient().equalsIgnoreCase(recipient))
                    .findFirst().orElse(null);
            String problem;
            if (found == null) {
                problem = "recipient not found (got " + entries.stream().map(Feedback::recipient).toList() + ")";
            } else if (expected.equals("either") || expected.equals("hard") == found.hard()) {
                right++;
                continue;
            } else {
                problem = "read as " + (found.hard() ? "hard" : "soft") + ", expected " + expected
                        + " (" + f[2] + " " + f[3] + "; status " + found.status() + ")";
            }
            wrongByFamily.computeIfAbsent(family(file), k -> new ArrayList<>())
                    .add(file + " " + recipient + ": " + problem);
        }
        double share = total == 0 ? 0 : (double) right / total;
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "shared bounces: %d/%d right (%.1f%%)%n", right, total, share * 100));
        wrongByFamily.forEach((family, wrong) -> {
            report.append(String.format(Locale.ROOT, "  %s: %d wrong%n", family, wrong.size()));
            wrong.forEach(w -> report.append("    ").append(w).append(System.lineSeparator()));
        });
        System.out.println(report);
        assertThat(total).as("rows in expected.tsv").isPositive();
        assertThat(share).as("share of recipients found with the right class, %d/%d (list above)", right, total)
                .isGreaterThanOrEqualTo(REQUIRED_SHARE);
    }

    private static List<Feedback> parse(Path file) {
        try {
            return PARSER.parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** "bsd-lhost-postfix-17.eml" → "lhost-postfix": the MTA or provider that wrote it. */
    static String family(String file) {
        String name = file.replaceFirst("^(bsd|dos)-", "").replaceFirst("\\.eml$", "");
        return name.replaceFirst("-\\d+$", "");
    }

    /** shared/bounces beside the repository root (or an ancestor of it): CI always has it. */
    private static Path sharedBounces() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : List.of(dir.resolve("shared/bounces"), dir.resolveSibling("shared/bounces"))) {
                if (Files.isRegularFile(candidate.resolve("expected.tsv"))) {
                    return candidate;
                }
            }
            if (dir.getParent() == null) {
                break;
            }
        }
        return fail("shared/bounces/expected.tsv not found beside the repository or any ancestor of "
                + Path.of("").toAbsolutePath() + ": the shared bounce corpus is required");
    }
}
