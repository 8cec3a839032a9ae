package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailer.transport.FaultySmtpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §9 on the embedded default, with real child JVMs on one {@code MAILER_HOME} and no database
 * URL anywhere: serve, an import, a send and a poll run side by side on the one embedded server;
 * serve, which started it, is killed with SIGKILL during the send and the others go on; the last
 * to end stops the server, and serve started again brings it up and stops cleanly on SIGTERM.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SharedEmbeddedDatabaseTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/");
    private static final int CONTACTS = 60;

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void serveSendPollAndImportShareTheEmbeddedServerAndOutliveTheKilledStarter() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MAILER_HOME", dir.resolve("home").toString());
        env.put("MAILER_SECRET", "a-secret-shared-by-every-process-of-this-shop");
        Path config = ShopFixture.create(dir, new CliRunner()).config();
        Path campaign = Files.writeString(dir.resolve("shared.yaml"), """
                name: shared
                purpose: newsletter
                template: newsletter
                from: "Kawiarnia Nowak <news@kawiarnia.example>"
                rate: 15/s
                """);

        try (MailerProcess serve = MailerProcess.start(dir, "serve", env, "serve", "--port", "0",
                "--config", config.toString());
             FaultySmtpServer relay = FaultySmtpServer.start()) {
            int port = awaitPort(serve);
            assertThat(healthz(port)).isEqualTo(200);
            assertThat(run(env, "import", "contacts", "import", contacts().toString(), "--config", config.toString()))
                    .as("an import beside serve").contains(CONTACTS + " imported");
            JsonNode status = JSON.readTree(run(env, "status", "db", "status", "--json"));
            assertThat(status.get("running").asBoolean()).isTrue();
            assertThat(commands(status)).contains("serve");
            String dryRun = run(env, "dry-run", "send", campaign.toString(), "--dry-run", "--config", config.toString());
            assertThat(dryRun).contains("eligible");

            GreenMail imap = new GreenMail(ServerSetupTest.IMAP.dynamicPort());
            imap.start();
            try {
                imap.setUser("bounces@kawiarnia.example", "bounces", "pw");
                String mailbox = "imap://bounces:pw@127.0.0.1:" + imap.getImap().getPort() + "/INBOX?tls=none";
                try (MailerProcess send = MailerProcess.start(dir, "send", env, "send", campaign.toString(),
                        "--config", config.toString(), "--smtp", relay.url("connections=2"), "--json");
                     MailerProcess poll = MailerProcess.start(dir, "poll", env, "feedback", "poll", "--mailbox",
                             mailbox, "--config", config.toString())) {
                    awaitSending(relay);
                    serve.signal("KILL"); // the process that started the server, mid-send
                    assertThat(serve.waitFor(Duration.ofSeconds(10))).isNotNull();

                    assertThat(poll.waitFor(Duration.ofSeconds(90))).as(poll.output()).isZero();
                    assertThat(send.waitFor(Duration.ofSeconds(90))).as(send.output()).isZero();
                    assertThat(JSON.readTree(send.out()).get("sent").asLong()).isEqualTo(CONTACTS);
                }
            } finally {
                imap.stop();
            }
            assertThat(relay.recipients()).hasSize(CONTACTS).doesNotHaveDuplicates();
        }
        JsonNode afterAll = JSON.readTree(run(env, "status-after", "db", "status", "--json"));
        assertThat(afterAll.get("running").asBoolean()).as("stopped by the last one to end").isFalse();
        assertThat(afterAll.get("users")).isEmpty();

        try (MailerProcess serveAgain = MailerProcess.start(dir, "serve-again", env, "serve", "--port", "0",
                "--config", config.toString())) {
            int port = awaitPort(serveAgain);
            assertThat(healthz(port)).isEqualTo(200);
            serveAgain.signal("TERM");
            assertThat(serveAgain.waitFor(Duration.ofSeconds(10))).as(serveAgain.output()).isZero();
        }
        assertThat(JSON.readTree(run(env, "status-end", "db", "status", "--json")).get("running").asBoolean())
                .isFalse();
    }

    private Path contacts() throws IOException {
        StringBuilder csv = new StringBuilder("email,name,consent_purpose,consent_at,confirmed_at\n");
        for (int i = 0; i < CONTACTS; i++) {
            csv.append("person").append(i).append("@example.com,Person ").append(i)
                    .append(",newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z\n");
        }
        return Files.writeString(dir.resolve("contacts.csv"), csv, StandardCharsets.UTF_8);
    }

    /** Runs a short command as its own JVM beside the others; its standard output. */
    private String run(Map<String, String> env, String name, String... args) throws Exception {
        try (MailerProcess process = MailerProcess.start(dir, name, env, args)) {
            assertThat(process.waitFor(Duration.ofSeconds(90))).as(name + ": " + process.output()).isZero();
            return process.out();
        }
    }

    private static List<String> commands(JsonNode status) {
        List<String> commands = new ArrayList<>();
        status.get("users").forEach(u -> commands.add(u.get("command").asText()));
        return commands;
    }

    private static int awaitPort(MailerProcess serve) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(serve.out());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertThat(serve.isAlive()).as(serve.output()).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("serve did not start: " + serve.output());
    }

    private static void awaitSending(FaultySmtpServer relay) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (relay.received().size() < 5) {
            assertThat(System.nanoTime()).as("the send began").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private int healthz(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
