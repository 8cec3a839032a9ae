package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

/** {@code mailer serve} with {@code webhooks:} in mailer.yaml, as a user runs it: a signed Mailgun event is taken. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebhookServeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+/)");
    private static final String SIGNING_KEY = "key-0f6c1f8a3c2b4d5e9a7b6c5d4e3f2a1b";
    private static final String POSTMARK_PASSWORD = "from-the-environment-7Hq";

    @TempDir
    Path dir;

    @Test
    void serveWithWebhooksInMailerYamlRecordsASignedMailgunBounceAndSaysWhichAreOn() throws Exception {
        CliRunner cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
        cli.env().put("MAILER_POSTMARK_USER", "postmark");
        cli.env().put("MAILER_POSTMARK_PASSWORD", POSTMARK_PASSWORD);
        Path config = Files.writeString(dir.resolve("mailer.yaml"), """
                bounce-address: bounces@kawiarnia.example
                webhooks:
                  mailgun:
                    signing-key: %s
                """.formatted(SIGNING_KEY), StandardCharsets.UTF_8);
        assertThat(cli.run("consent", "grant", "anna@example.pl", "--purpose", "newsletter").exitCode()).isZero();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--config", config.toString(), "--db",
                cli.dbUrl()));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run(args.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                cli.env(), new ByteArrayInputStream(new byte[0]), false));
        String base = awaitListening(out, err, exit);

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(base + "webhooks/mailgun")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(signedBounce("anna@example.pl"))).build(),
                HttpResponse.BodyHandlers.ofString());

        Signal.raise(new Signal("INT"));
        assertThat(exit.get(30, TimeUnit.SECONDS)).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode suppressed = JSON.readTree(cli.run("suppress", "list", "--json").out());
        assertThat(suppressed).hasSize(1);
        assertThat(suppressed.get(0).get("email_norm").asText()).isEqualTo("anna@example.pl");
        assertThat(suppressed.get(0).get("reason").asText()).isEqualTo("bounced");
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("provider webhooks: on: POST /webhooks/mailgun, /webhooks/postmark")
                .containsPattern("\\S+Z POST /webhooks/mailgun 200 \\d+ ms")
                .doesNotContain(SIGNING_KEY).doesNotContain(POSTMARK_PASSWORD).doesNotContain("anna");
    }

    @Test
    void aPostmarkUserWithoutPasswordIsOneSentenceAndExit2() {
        CliRunner cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
        cli.env().put("MAILER_POSTMARK_USER", "postmark");

        CliRunner.Result result = cli.run("serve", "--port", "0");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().strip()).contains("Postmark", "MAILER_POSTMARK_PASSWORD").hasLineCount(1);
    }

    private static String awaitListening(ByteArrayOutputStream out, ByteArrayOutputStream err,
                                         CompletableFuture<Integer> exit) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Matcher m = LISTENING.matcher(out.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return m.group(1);
            }
            if (exit.isDone() || System.nanoTime() > deadline) {
                throw new AssertionError("serve did not start: " + err.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(50);
        }
    }

    private static byte[] signedBounce(String email) throws Exception {
        long timestamp = Instant.now().getEpochSecond();
        String token = "5d8a9c1e7f3b2a4c6e8d0f1a3b5c7e9d2f4a6b8c0e";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SIGNING_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        ObjectNode body = JSON.createObjectNode();
        body.putObject("signature").put("timestamp", Long.toString(timestamp)).put("token", token)
                .put("signature", HexFormat.of().formatHex(mac.doFinal((timestamp + token)
                        .getBytes(StandardCharsets.UTF_8))));
        ObjectNode event = body.putObject("event-data");
        event.put("event", "failed").put("id", "Ase7i2zsRYeDXztHGENqRA").put("timestamp", timestamp)
                .put("severity", "permanent").put("reason", "bounce").put("recipient", email);
        event.putObject("delivery-status").put("code", 550)
                .put("message", "5.1.1 The email account that you tried to reach does not exist.");
        return JSON.writeValueAsBytes(body);
    }
}
