package dev.mailer.feedback.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.config.WebhooksConfig;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How serve routes {@code /webhooks/…}: only providers that are on, POST only, their own body cap, a clean log. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebhookRoutesTest {
    private static WebhookFixture app;

    @BeforeAll
    static void start() {
        app = WebhookFixture.start(new WebhooksConfig(WebhookMailgunTest.SIGNING_KEY, null, null, null, false,
                List.of()));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aProviderThatIsNotOnIs404AndOnlyPostIsAllowed() throws Exception {
        for (String path : List.of("/webhooks/sendgrid", "/webhooks/ses", "/webhooks/postmark", "/webhooks/nope",
                "/webhooks/", "/webhooks/mailgun/extra", "/webhooks/MAILGUN")) {
            assertThat(app.post(path, "[]".getBytes(), Map.of()).statusCode()).as(path).isEqualTo(404);
        }
        HttpResponse<String> get = app.get("/webhooks/mailgun");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(get.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void webhooksThatAreOnTakeBodiesUpToAMegabyteTheFormsStayAt8Kb() throws Exception {
        byte[] large = new byte[600 * 1024];
        Arrays.fill(large, (byte) ' ');
        byte[] form = new byte[9 * 1024];
        Arrays.fill(form, (byte) 'a');

        assertThat(app.post("/webhooks/mailgun", large, Map.of()).statusCode()).as("read, then found no JSON")
                .isEqualTo(400);
        assertThat(declaring("/webhooks/mailgun", 1024 * 1024 + 1)).as("refused before it is read")
                .startsWith("HTTP/1.1 413");
        assertThat(app.post("/webhooks/sendgrid", form, Map.of()).statusCode()).as("not on: the small cap")
                .isEqualTo(413);
        assertThat(app.post("/subscribe", form, Map.of()).statusCode()).isEqualTo(413);
    }

    /** The answer to a request that declares a body of this length and sends none of it. */
    private static String declaring(String path, int length) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), app.server.address().getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void theAccessLogNamesTheProviderAndNothingAClientWroteThere() throws Exception {
        app.post("/webhooks/mailgun", "{}".getBytes(), Map.of());
        app.post("/webhooks/anna@example.pl", "{}".getBytes(), Map.of());
        app.post("/webhooks/sendgrid", "[]".getBytes(), Map.of());

        assertThat(app.accessLog(3)).anyMatch(line -> line.startsWith("POST /webhooks/mailgun 401 "))
                .anyMatch(line -> line.startsWith("POST /webhooks/… 404 "))
                .anyMatch(line -> line.startsWith("POST /webhooks/sendgrid 404 "))
                .noneMatch(line -> line.contains("anna"));
    }
}
