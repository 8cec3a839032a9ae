package dev.mailer.feedback.webhooks;

import static dev.mailer.feedback.webhooks.WebhookFixture.JSON;
import static dev.mailer.feedback.webhooks.WebhookFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailer.config.WebhooksConfig;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code POST /webhooks/sendgrid}: batches signed with a P-256 key of the test's own. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebhookSendGridTest {
    private static WebhookFixture app;
    private static KeyPair keys;
    private static KeyPair strangers;

    @BeforeAll
    static void start() throws Exception {
        keys = p256();
        strangers = p256();
        // as SendGrid's settings page shows it: base64 of the SubjectPublicKeyInfo
        String shown = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        app = WebhookFixture.start(new WebhooksConfig(null, shown, null, null, false, List.of()));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aSignedBatchRecordsEachEventOnceByItsEventId() throws Exception {
        String anna = unique("anna@example.pl");
        String bob = unique("bob@example.pl");
        String cecylia = unique("cecylia@example.pl");
        String dora = unique("dora@example.pl");
        String emil = unique("emil@gmail.com");
        long campaign = app.campaign("newsletter");
        long annaId = app.contact(anna, "newsletter");
        app.contact(bob, "newsletter");
        app.contact(cecylia, "newsletter");
        long doraId = app.contact(dora, "newsletter");
        app.contact(emil, "newsletter");
        String batch = UUID.randomUUID().toString();
        ArrayNode events = JSON.createArrayNode();
        events.add(event(batch + "-1", "bounce", anna).put("type", "bounce").put("status", "5.1.1")
                .put("reason", "550 5.1.1 The email account that you tried to reach does not exist.")
                .put("bounce_classification", "Invalid Address")
                .put("mailer_token", WebhookFixture.verp(campaign, annaId, anna))); // a custom argument of ours
        events.add(event(batch + "-2", "spamreport", bob));
        events.add(event(batch + "-3", "deferred", cecylia).put("response", "450 4.2.1 try again later"));
        events.add(event(batch + "-4", "group_unsubscribe", dora).put("asm_group_id", 42));
        events.add(event(batch + "-5", "bounce", emil).put("type", "blocked").put("status", "5.7.26")
                .put("reason", "550-5.7.26 This mail has been blocked because the sender is unauthenticated."));
        events.add(event(batch + "-6", "delivered", cecylia));
        byte[] body = JSON.writeValueAsBytes(events);

        HttpResponse<String> first = post(body, keys.getPrivate(), now());
        HttpResponse<String> again = post(body, keys.getPrivate(), now());

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(app.events("sendgrid:" + batch + "-1")).containsExactly(
                List.of("bounce", Long.toString(annaId), Long.toString(campaign), "true", "5.1.1", "recipient"));
        assertThat(app.suppressions(anna)).containsExactly("bounced");
        assertThat(app.suppressions(bob)).containsExactly("complaint");
        assertThat(app.suppressions(cecylia)).as("deferred: still trying").isEmpty();
        assertThat(app.latestConsent(doraId, "*")).containsExactly("withdrawn", "SendGrid unsubscribe");
        assertThat(app.suppressions(emil)).as("the sender's fault").isEmpty();
        assertThat(app.events("sendgrid:" + batch)).hasSize(3);
    }

    @Test
    void aTamperedBodyAnotherKeyOrNoSignatureIs401AndRecordsNothing() throws Exception {
        String anna = unique("anna@example.pl");
        app.contact(anna, "newsletter");
        ArrayNode events = JSON.createArrayNode();
        events.add(event(UUID.randomUUID().toString(), "spamreport", anna));
        byte[] body = JSON.writeValueAsBytes(events);
        String timestamp = now();
        String signature = sign(body, keys.getPrivate(), timestamp);
        var before = app.fingerprints();

        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace(anna, unique("eve@example.pl"))
                .getBytes(StandardCharsets.UTF_8);
        List<Map<String, String>> badHeaders = List.of(
                headers(signature, Long.toString(Long.parseLong(timestamp) + 1)),
                headers(sign(body, strangers.getPrivate(), timestamp), timestamp),
                headers("not base64!", timestamp),
                Map.of(SendGridWebhook.TIMESTAMP_HEADER, timestamp),
                Map.of());
        for (Map<String, String> headers : badHeaders) {
            assertThat(app.post("/webhooks/sendgrid", body, headers).statusCode()).as(headers.toString())
                    .isEqualTo(401);
        }
        assertThat(app.post("/webhooks/sendgrid", tampered, headers(signature, timestamp)).statusCode())
                .isEqualTo(401);
        assertThat(app.fingerprints()).isEqualTo(before);
    }

    @Test
    void aSignedBodyThatIsNoArrayOfEventsIs400() throws Exception {
        for (String body : List.of("[{\"event\": ", "{\"event\": \"bounce\"}", "[1, 2]")) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            assertThat(post(bytes, keys.getPrivate(), now()).statusCode()).as(body).isEqualTo(400);
        }
    }

    @Test
    void aBatchOfHundredsOfKilobytesIsTaken() throws Exception {
        ArrayNode events = JSON.createArrayNode();
        for (int i = 0; i < 1500; i++) {
            events.add(event(UUID.randomUUID().toString(), "delivered", "reader" + i + "@example.pl")
                    .put("smtp-id", "<" + UUID.randomUUID() + "@kawiarnia.example>").put("category", "newsletter"));
        }
        byte[] body = JSON.writeValueAsBytes(events);
        assertThat(body.length).isGreaterThan(200_000);

        HttpResponse<String> response = post(body, keys.getPrivate(), now());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    // --- helpers ----------------------------------------------------------------------------

    private static ObjectNode event(String id, String kind, String email) {
        return JSON.createObjectNode().put("email", email).put("timestamp", Instant.now().getEpochSecond())
                .put("event", kind).put("sg_event_id", id).put("sg_message_id", "msg." + id);
    }

    private static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String now() {
        return Long.toString(Instant.now().getEpochSecond());
    }

    static String sign(byte[] body, PrivateKey key, String timestamp) throws Exception {
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(key);
        signature.update(timestamp.getBytes(StandardCharsets.UTF_8));
        signature.update(body);
        return Base64.getEncoder().encodeToString(signature.sign());
    }

    private static Map<String, String> headers(String signature, String timestamp) {
        return Map.of(SendGridWebhook.SIGNATURE_HEADER, signature, SendGridWebhook.TIMESTAMP_HEADER, timestamp,
                "Content-Type", "application/json");
    }

    private static HttpResponse<String> post(byte[] body, PrivateKey key, String timestamp) throws Exception {
        return app.post("/webhooks/sendgrid", body, headers(sign(body, key, timestamp), timestamp));
    }
}
