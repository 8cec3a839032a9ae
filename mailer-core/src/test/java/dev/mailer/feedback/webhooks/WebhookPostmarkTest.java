package dev.mailer.feedback.webhooks;

import static dev.mailer.feedback.webhooks.WebhookFixture.JSON;
import static dev.mailer.feedback.webhooks.WebhookFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailer.config.WebhooksConfig;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code POST /webhooks/postmark}: HTTP basic auth, as in the URL Postmark is given. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebhookPostmarkTest {
    private static final String USER = "postmark";
    private static final String PASSWORD = "Zq3v-webhook-pass";
    private static final AtomicLong IDS = new AtomicLong(4_323_372_036_854_775_807L);
    private static WebhookFixture app;

    @BeforeAll
    static void start() {
        app = WebhookFixture.start(new WebhooksConfig(null, null, USER, PASSWORD, false, List.of()));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void bouncesComplaintsAndTheRecipientsOwnSuppressionAreRecordedOnce() throws Exception {
        String anna = unique("anna@example.pl");
        String bob = unique("bob@example.pl");
        String cecylia = unique("cecylia@example.pl");
        String dora = unique("dora@gmail.com");
        String emil = unique("emil@example.pl");
        long campaign = app.campaign("newsletter");
        long annaId = app.contact(anna, "newsletter");
        app.contact(bob, "newsletter");
        long cecyliaId = app.contact(cecylia, "newsletter");
        app.contact(dora, "newsletter");
        app.contact(emil, "newsletter");
        ObjectNode hard = bounce("HardBounce", anna, "smtp;550 5.1.1 The email account that you tried to reach does"
                + " not exist.");
        hard.putObject("Metadata").put("bounce-address", WebhookFixture.verp(campaign, annaId, anna));
        ObjectNode complaint = bounce("SpamComplaint", bob, "").put("RecordType", "SpamComplaint");
        ObjectNode change = JSON.createObjectNode().put("RecordType", "SubscriptionChange")
                .put("MessageID", "883953f4-6105-42a2-a16a-77a8eac79483").put("Recipient", cecylia)
                .put("Origin", "Recipient").put("SuppressSending", true).put("SuppressionReason", "ManualSuppression")
                .put("ChangedAt", "2026-12-03T10:01:02Z").put("MessageStream", "broadcast");
        ObjectNode dmarc = bounce("DMARCPolicy", dora, "smtp;550 5.7.26 Unauthenticated email from"
                + " kawiarnia.example is not accepted due to domain's DMARC policy.");
        ObjectNode soft = bounce("Transient", emil, "smtp;421 4.4.2 connection timed out");

        for (ObjectNode event : List.of(hard, complaint, change, dmarc, soft, hard)) {
            HttpResponse<String> response = post(event, USER, PASSWORD);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }

        assertThat(app.events("postmark:" + hard.get("ID").asText())).containsExactly(
                List.of("bounce", Long.toString(annaId), Long.toString(campaign), "true", "5.1.1", "recipient"));
        assertThat(app.suppressions(anna)).containsExactly("bounced");
        assertThat(app.suppressions(bob)).containsExactly("complaint");
        assertThat(app.latestConsent(cecyliaId, "*")).containsExactly("withdrawn", "Postmark unsubscribe");
        assertThat(app.suppressions(dora)).as("the sender's fault").isEmpty();
        assertThat(app.suppressions(emil)).isEmpty();
    }

    @Test
    void aWrongPasswordOrNoneIs401WithAChallengeAndRecordsNothing() throws Exception {
        String anna = unique("anna@example.pl");
        app.contact(anna, "newsletter");
        ObjectNode hard = bounce("HardBounce", anna, "smtp;550 5.1.1 user unknown");
        var before = app.fingerprints();

        for (Map<String, String> headers : List.of(basic(USER, "wrong"), basic("someone", PASSWORD),
                basic(USER, PASSWORD + "x"), Map.of("Authorization", "Bearer " + PASSWORD),
                Map.of("Authorization", "Basic %%%"), Map.<String, String>of())) {
            HttpResponse<String> response = app.post("/webhooks/postmark", JSON.writeValueAsBytes(hard), headers);
            assertThat(response.statusCode()).as(headers.toString()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    challenge -> assertThat(challenge).startsWith("Basic realm="));
        }
        assertThat(app.fingerprints()).isEqualTo(before);
    }

    @Test
    void malformedJsonIs400OnceAuthorized() throws Exception {
        HttpResponse<String> response = app.post("/webhooks/postmark", "{\"RecordType\"".getBytes(
                StandardCharsets.UTF_8), basic(USER, PASSWORD));
        assertThat(response.statusCode()).isEqualTo(400);
    }

    private static ObjectNode bounce(String type, String email, String details) {
        return JSON.createObjectNode().put("RecordType", "Bounce").put("ID", IDS.incrementAndGet()).put("Type", type)
                .put("TypeCode", 1).put("Name", type).put("MessageID", "883953f4-6105-42a2-a16a-77a8eac79483")
                .put("ServerID", 23).put("MessageStream", "broadcast").put("Description", "The server was unable"
                        + " to deliver your message.").put("Details", details).put("Email", email)
                .put("From", "news@kawiarnia.example").put("BouncedAt", "2026-12-03T10:01:02Z");
    }

    private static Map<String, String> basic(String user, String password) {
        return Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8)), "Content-Type", "application/json");
    }

    private static HttpResponse<String> post(ObjectNode event, String user, String password) throws Exception {
        return app.post("/webhooks/postmark", JSON.writeValueAsBytes(event), basic(user, password));
    }
}
