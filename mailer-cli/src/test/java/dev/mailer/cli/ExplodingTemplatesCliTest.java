package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13.6: a template that recurses without end or writes without end is a template error
 * (exit 2, {@code template_render}), in a dry run and in a real send, and the rows stay to be sent.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ExplodingTemplatesCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RECURSION = "<#macro again n><@again n + 1/></#macro><p><@again 1/></p>"
            + "<a href=\"${unsubscribeUrl}\">x</a>";
    private static final String HUGE_LOOP = "<#list 1..1000000000 as i>0123456789abcdef</#list>"
            + "<a href=\"${unsubscribeUrl}\">x</a>";
    private static final int CONTACTS = 5;

    @TempDir
    Path dir;
    ShopFixture shop;
    GreenMail mail;

    @BeforeEach
    void setUp() throws Exception {
        shop = ShopFixture.create(dir, new CliRunner());
        shop.importContacts(CONTACTS);
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
    }

    @AfterEach
    void tearDown() {
        mail.stop();
    }

    private Path html() {
        return dir.resolve("templates/newsletter/html.ftlh");
    }

    private String relay() {
        return "smtp://127.0.0.1:" + mail.getSmtp().getPort() + "?tls=none&connections=2";
    }

    private CliRunner.Result dryRun(Path campaign) {
        return shop.cli().run("send", campaign.toString(), "--dry-run", "--json", "--config", shop.config().toString());
    }

    private static JsonNode onlyError(CliRunner.Result result) throws Exception {
        JsonNode errors = JSON.readTree(result.out()).get("errors");
        assertThat(errors).as(result.out()).hasSize(1);
        assertThat(errors.get(0).get("code").asText()).isEqualTo("template_render");
        return errors.get(0);
    }

    @Test
    void aMacroCallingItselfForeverIsATemplateErrorInTheDryRun() throws Exception {
        Files.writeString(html(), RECURSION);
        CliRunner.Result result = dryRun(shop.campaign("recursion", null));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(onlyError(result).get("message").asText())
                .contains("newsletter/html.ftlh", "calls itself without end");
    }

    @Test
    void aMacroCallingItselfForeverStopsTheSendWithExitTwoAndLeavesEveryRowToBeSent() throws Exception {
        Files.writeString(html(), RECURSION);
        Path campaign = shop.campaign("recursion-send", null);

        CliRunner.Result stopped = shop.send(campaign, relay());

        assertThat(stopped.exitCode()).as(stopped.err()).isEqualTo(2);
        assertThat(stopped.err()).contains("Stopped: templates/newsletter/html.ftlh", "calls itself without end",
                "fix the template, then run the same command again");
        assertThat(onlyError(stopped).get("message").asText()).contains("calls itself without end");
        assertThat(mail.getReceivedMessages()).isEmpty();
        assertThat(shop.statusCounts()).isEqualTo(Map.of("pending", (long) CONTACTS));

        Files.writeString(html(), "<p>fixed</p><a href=\"${unsubscribeUrl}\">x</a>");
        CliRunner.Result resumed = shop.send(campaign, relay());
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(JSON.readTree(resumed.out()).get("sent").asLong()).isEqualTo(CONTACTS);
        assertThat(mail.getReceivedMessages()).hasSize(CONTACTS);
    }

    @Test
    void aLoopWithoutEndStopsAtTheDefaultCapInTheDryRun() throws Exception {
        Files.writeString(html(), HUGE_LOOP);
        long started = System.nanoTime();
        CliRunner.Result result = dryRun(shop.campaign("loop", null));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(onlyError(result).get("message").asText())
                .contains("newsletter/html.ftlh", "grew past max-message-size (10 MB)");
        assertThat((System.nanoTime() - started) / 1_000_000_000).as("stopped at the cap, not at 16 GB").isLessThan(60);
    }

    @Test
    void aLoopWithoutEndStopsTheSendAtTheConfiguredCapAndLeavesEveryRowToBeSent() throws Exception {
        Files.writeString(shop.config(), "max-message-size: 64KB\n", StandardOpenOption.APPEND);
        Files.writeString(html(), HUGE_LOOP);
        Path campaign = shop.campaign("loop-send", null);

        CliRunner.Result stopped = shop.send(campaign, relay());

        assertThat(stopped.exitCode()).as(stopped.err()).isEqualTo(2);
        assertThat(stopped.err()).contains("Stopped: templates/newsletter/html.ftlh", "grew past max-message-size (64 KB)");
        assertThat(onlyError(stopped).get("message").asText()).contains("max-message-size (64 KB)");
        assertThat(mail.getReceivedMessages()).isEmpty();
        assertThat(shop.statusCounts()).isEqualTo(Map.of("pending", (long) CONTACTS));

        CliRunner.Result dry = dryRun(campaign);
        assertThat(dry.exitCode()).isEqualTo(2);
        assertThat(onlyError(dry).get("message").asText()).contains("max-message-size (64 KB)");
    }
}
