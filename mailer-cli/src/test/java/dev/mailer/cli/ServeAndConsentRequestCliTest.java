package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

/** {@code mailer consent request} and {@code mailer serve} as a user runs them, end to end. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeAndConsentRequestCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+/)");
    private static final Pattern CONFIRM_LINK = Pattern.compile("(http://\\S+/c/[A-Za-z0-9_-]+)");
    private static final Pattern UNSUBSCRIBE_LINK = Pattern.compile("<(http://\\S+/u/[A-Za-z0-9_-]+)>");

    @TempDir
    Path dir;
    private CliRunner cli;
    private GreenMail mail;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
    }

    @AfterEach
    void tearDown() {
        mail.stop();
    }

    @Test
    void aRequestedConsentIsConfirmedThroughServeAndServeStopsCleanlyOnSigint() throws Exception {
        Path config = config("""
                bounce-address: bounces@kawiarnia.example
                sender:
                  organisation: Kawiarnia Nowak sp. z o.o.
                  postal-address: ul. Floriańska 1, 31-019 Kraków
                  dpo-email: iod@kawiarnia.example
                """);
        Serve serve = Serve.start(cli, "--port", "0", "--config", config.toString());
        String base = serve.url();
        Files.writeString(config, "unsubscribe-base-url: " + base + "\n" + Files.readString(config));

        CliRunner.Result requested = cli.run("consent", "request", "anna@example.pl", "--purpose", "newsletter",
                "--smtp", smtp(), "--config", config.toString(), "--json");

        assertThat(requested.exitCode()).as(requested.err()).isZero();
        JsonNode sent = JSON.readTree(requested.out());
        assertThat(sent.get("email").asText()).isEqualTo("anna@example.pl");
        assertThat(sent.get("purpose").asText()).isEqualTo("newsletter");
        assertThat(sent.get("language").asText()).isEqualTo("en");
        assertThat(sent.get("contactCreated").asBoolean()).isTrue();
        MimeMessage[] received = mail.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(received[0].getFrom()[0].toString()).contains("no-reply@kawiarnia.example");
        Matcher link = CONFIRM_LINK.matcher(textPart(received[0]));
        assertThat(link.find()).isTrue();
        assertThat(link.group(1)).startsWith(base + "c/");
        assertThat(history().get("records")).as("asking is no consent").isEmpty();

        HttpResponse<String> confirmed = http.send(HttpRequest.newBuilder(URI.create(link.group(1)))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(confirmed.statusCode()).isEqualTo(200);
        JsonNode granted = history().get("records").get(0);
        assertThat(granted.get("status").asText()).isEqualTo("granted");
        assertThat(granted.get("confirmedAt").isNull()).isFalse();
        assertThat(granted.get("ip").asText()).isEqualTo("127.0.0.1");

        // the message's own List-Unsubscribe header, one-click, through the same server
        Matcher unsubscribe = UNSUBSCRIBE_LINK.matcher(received[0].getHeader("List-Unsubscribe", null));
        assertThat(unsubscribe.find()).isTrue();
        HttpResponse<String> oneClick = http.send(HttpRequest.newBuilder(URI.create(unsubscribe.group(1)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(oneClick.statusCode()).isEqualTo(200);
        JsonNode records = history().get("records");
        assertThat(records.get(records.size() - 1).get("status").asText()).isEqualTo("withdrawn");

        CliRunner.Result stopped = serve.stop();
        assertThat(stopped.exitCode()).as(stopped.err()).isZero();
        List<String> lines = stopped.out().lines().toList();
        assertThat(lines.get(0)).contains("listening on");
        assertThat(lines.get(1)).startsWith("sign-up form (POST /subscribe): off (no purposes: in mailer.yaml");
        assertThat(lines.get(2)).isEqualTo("provider webhooks: off (webhooks: in mailer.yaml)");
        assertThat(lines.subList(3, lines.size() - 2)).as("the access log: a line per request, no token, no address")
                .hasSize(2).allMatch(l -> l.matches("\\S+Z (GET|POST) /[uc]/… 200 \\d+ ms"));
        assertThat(lines.subList(lines.size() - 2, lines.size())).as("it says that it stops, and when it has")
                .containsExactly("mailer serve stopping: no new requests; finishing those in progress (at most 5 s)",
                        "mailer serve stopped");
        assertThat(stopped.out()).doesNotContain(unsubscribe.group(1).substring(unsubscribe.group(1).lastIndexOf('/') + 1))
                .doesNotContain("anna");
    }

    @Test
    void serveOnATakenPortSaysSoAndExits3() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CliRunner.Result result = cli.run("serve", "--port", Integer.toString(taken.getLocalPort()));

            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(result.err().strip()).contains("already in use", "--port").doesNotContain("Exception")
                    .hasLineCount(1);
        }
        CliRunner.Result badPort = cli.run("serve", "--port", "70000");
        assertThat(badPort.exitCode()).isEqualTo(2);
    }

    @Test
    void consentRequestErrorsAreOneSentenceWithTheirExitCode() throws Exception {
        Path config = config("bounce-address: bounces@kawiarnia.example\n");
        Path noDomain = config("sender:\n  organisation: Kawiarnia\n");
        assertThat(cli.run("subject", "erase", "gone@example.pl", "--yes").exitCode()).isZero();

        CliRunner.Result erased = cli.run("consent", "request", "gone@example.pl", "--purpose", "newsletter",
                "--smtp", smtp(), "--config", config.toString());
        assertThat(erased.exitCode()).isEqualTo(2);
        assertThat(erased.err().strip()).contains("was erased").hasLineCount(1);

        CliRunner.Result noFrom = cli.run("consent", "request", "anna@example.pl", "--purpose", "newsletter",
                "--smtp", smtp(), "--config", noDomain.toString());
        assertThat(noFrom.exitCode()).isEqualTo(2);
        assertThat(noFrom.err().strip()).contains("--from").hasLineCount(1);

        CliRunner.Result noRelay = cli.run("consent", "request", "anna@example.pl", "--purpose", "newsletter",
                "--config", config.toString());
        assertThat(noRelay.exitCode()).isEqualTo(2);
        assertThat(noRelay.err()).contains("No SMTP relay is configured");

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CliRunner.Result deadRelay = cli.run("consent", "request", "anna@example.pl", "--purpose", "newsletter",
                "--smtp", "smtp://127.0.0.1:" + closedPort + "?tls=none", "--config", config.toString());
        assertThat(deadRelay.exitCode()).isEqualTo(4);
        assertThat(deadRelay.err().strip()).contains("nothing was sent").doesNotContain("Exception").hasLineCount(1);

        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    @Test
    void bothCommandsExplainThemselvesWithAnExample() {
        CliRunner.Result serve = cli.runRaw("serve", "--help");
        assertThat(serve.exitCode()).isZero();
        assertThat(serve.out()).contains("Example", "reverse proxy", "--trust-proxy", "--bind");
        CliRunner.Result request = cli.runRaw("consent", "request", "--help");
        assertThat(request.exitCode()).isZero();
        assertThat(request.out()).contains("Example", "--purpose", "--from", "--locale");
    }

    private JsonNode history() throws IOException {
        CliRunner.Result shown = cli.run("consent", "show", "anna@example.pl", "--json");
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        return JSON.readTree(shown.out());
    }

    private static String textPart(MimeMessage message) throws IOException, MessagingException {
        Multipart parts = (Multipart) message.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            if (part.isMimeType("text/plain")) {
                return (String) part.getContent();
            }
        }
        throw new AssertionError("no text part");
    }

    private String smtp() {
        return "smtp://127.0.0.1:" + mail.getSmtp().getPort() + "?tls=none";
    }

    private Path config(String yaml) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "mailer", ".yaml"), yaml, StandardCharsets.UTF_8);
    }

    /** {@code mailer serve} running in this JVM, as from a terminal; stopped the way a person stops it. */
    private static final class Serve {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private CompletableFuture<Integer> exit;

        static Serve start(CliRunner cli, String... args) throws InterruptedException {
            Serve serve = new Serve();
            List<String> all = new ArrayList<>(List.of("serve"));
            all.addAll(List.of(args));
            all.addAll(List.of("--db", cli.dbUrl()));
            serve.exit = CompletableFuture.supplyAsync(() -> Main.run(all.toArray(String[]::new),
                    new PrintStream(serve.out, true, StandardCharsets.UTF_8),
                    new PrintStream(serve.err, true, StandardCharsets.UTF_8), cli.env(),
                    new ByteArrayInputStream(new byte[0]), false));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!LISTENING.matcher(serve.out.toString(StandardCharsets.UTF_8)).find()) {
                if (serve.exit.isDone() || System.nanoTime() > deadline) {
                    throw new AssertionError("serve did not start: " + serve.err.toString(StandardCharsets.UTF_8));
                }
                Thread.sleep(50);
            }
            return serve;
        }

        String url() {
            Matcher m = LISTENING.matcher(out.toString(StandardCharsets.UTF_8));
            assertThat(m.find()).isTrue();
            return m.group(1);
        }

        /** Ctrl-C: the signal goes to this JVM, where serve's handler (and only it) is installed now. */
        CliRunner.Result stop() throws Exception {
            Signal.raise(new Signal("INT"));
            int code = exit.get(30, TimeUnit.SECONDS);
            return new CliRunner.Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
