package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.transport.FaultySmtpServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailer campaign list} and {@code campaign cancel}: a cancelled campaign sends nothing more, ever. */
class CampaignHousekeepingCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aCancelledCampaignsOpenRowsAreNeverSentAndItsNameIsRefused() throws Exception {
        ShopFixture shop = ShopFixture.create(dir, new CliRunner());
        CliRunner cli = shop.cli();
        Path campaign = shop.campaign("mistake", null);
        List<String> eligible = shop.importContacts(10);
        try (FaultySmtpServer relay = FaultySmtpServer.start()) {
            CliRunner.Result canary = cli.run("send", campaign.toString(), "--config", shop.config().toString(),
                    "--smtp", relay.url("connections=2"), "--limit", "4", "--json");
            assertThat(canary.exitCode()).as(canary.err()).isZero();
            assertThat(relay.recipients()).hasSize(4);

            Path page = dir.resolve("mistake.html");
            CliRunner.Result html = cli.run("report", "mistake", "--html", page.toString());
            assertThat(html.exitCode()).as(html.err()).isZero();
            String text = java.nio.file.Files.readString(page);
            assertThat(text).startsWith("<!DOCTYPE html>").contains("Campaign mistake", "<svg", "Outcomes",
                    "By recipient domain", "example.com");
            assertThat(text).as("self-contained: nothing fetched from elsewhere")
                    .doesNotContainPattern("(src|href)=\"?(https?:)?//").doesNotContain("<script", "<link");
            assertThat(text.replaceAll("\\s+", " ")).contains("<strong>4</strong>sent", "<strong>6</strong>pending");

            CliRunner.Result listed = cli.run("campaign", "list", "--json");
            assertThat(listed.exitCode()).as(listed.err()).isZero();
            JsonNode row = JSON.readTree(listed.out()).get(0);
            assertThat(row.get("name").asText()).isEqualTo("mistake");
            assertThat(row.get("status").asText()).isEqualTo("paused");
            assertThat(row.get("sent").asLong()).isEqualTo(4);
            assertThat(row.get("open").asLong()).isEqualTo(6);
            assertThat(cli.run("campaign", "list").out()).contains("CAMPAIGN", "mistake", "paused");

            CliRunner.Result cancelled = cli.run("campaign", "cancel", "mistake");
            assertThat(cancelled.exitCode()).as(cancelled.err()).isZero();
            assertThat(cancelled.out()).contains("6 messages will never be sent");
            assertThat(cli.run("campaign", "cancel", "mistake").out()).contains("already cancelled");

            CliRunner.Result again = shop.send(campaign, relay.url("connections=2"));
            assertThat(again.exitCode()).isEqualTo(2);
            assertThat(again.err()).contains("was cancelled", "--name");
            assertThat(relay.recipients()).as("nothing more sent").hasSize(4);

            JsonNode report = JSON.readTree(cli.run("report", "mistake", "--json").out());
            assertThat(report.get("status").asText()).isEqualTo("cancelled");
            assertThat(report.get("cancelled").asLong()).isEqualTo(6);
            assertThat(report.get("pending").asLong()).isZero();
            assertThat(cli.run("report", "mistake").out()).contains("cancelled (never sent)");

            CliRunner.Result renamed = cli.run("send", campaign.toString(), "--config", shop.config().toString(),
                    "--smtp", relay.url("connections=2"), "--name", "mistake-fixed", "--json");
            assertThat(renamed.exitCode()).as(renamed.err()).isZero();
            assertThat(relay.recipients()).as("a new campaign under a new name: already_sent is per campaign")
                    .hasSize(14);
        }
        assertThat(cli.run("campaign", "cancel", "no-such").exitCode()).isEqualTo(2);
        assertThat(eligible).hasSize(10);
    }
}
