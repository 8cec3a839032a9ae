package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop end to end, as {@code ./mailer demo} runs it (on the test's PostgreSQL instead of
 * an embedded one): import, dry run, previews, a real send through the throttled pool to an SMTP
 * server, feedback mails in an IMAP mailbox read by feedback poll, a one-click unsubscribe over
 * HTTP, the report, and the gate's verdict afterwards.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void theDemoRunsTheWholeLoop() throws Exception {
        CliRunner cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());

        CliRunner.Result result = cli.run("demo", "--previews", dir.resolve("previews").toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        String out = result.out();
        assertThat(out).contains("3. The consent gate's dry run", "6. The same command again resumes the same campaign: 0 new"
                + " messages");
        assertThat(out).contains("recorded: 1 hard bounce, 1 soft bounce, 1 complaint, 1 unsubscribe",
                "not feedback (auto-replies, people writing): 1, moved unread to 'mailer-unrecognised'", "polled again: 0 new mails");
        assertThat(out).containsPattern("POST https://mail\\.kawiarnia\\.example/u/\\S+ .*→ HTTP 200");
        assertThat(out).contains("bounced 1 hard + 1 soft, 1 complaint, 2 unsubscribes");
        assertThat(out).containsPattern("suppressed_bounced +← hard bounce")
                .containsPattern("already_sent +← soft bounce")
                .containsPattern("suppressed_complaint +← spam complaint")
                .containsPattern("consent_withdrawn +← unsubscribe by mail")
                .containsPattern("already_sent +← out-of-office")
                .containsPattern("consent_withdrawn +← one-click unsubscribe");
        assertThat(Files.list(dir.resolve("previews")).map(p -> p.getFileName().toString()))
                .contains("newsletter-pl.eml", "newsletter-en.eml", "newsletter-sr-Latn.eml");
        assertThat(result.err()).doesNotContain("Exception", "WARN");
    }
}
