package dev.mailer.feedback.webhooks;

import static dev.mailer.feedback.webhooks.WebhookFixture.JSON;
import static dev.mailer.feedback.webhooks.WebhookFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailer.config.WebhooksConfig;
import dev.mailer.message.TestSecret;
import dev.mailer.message.Token;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code POST /webhooks/mailgun} over real HTTP against a real PostgreSQL. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebhookMailgunTest {
    static final String SIGNING_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static WebhookFixture app;

    @BeforeAll
    static void start() {
        app = WebhookFixture.start(new WebhooksConfig(SIGNING_KEY, null, null, null, false, List.of()));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aSignedHardBounceSuppressesThePersonOurTokenNamesOnceHoweverOftenItIsPosted() throws Exception {
        String email = unique("anna@example.pl");
        long campaign = app.campaign("newsletter");
        long anna = app.contact(email, "newsletter");
        ObjectNode event = failed("ev-hard-" + anna, email, "permanent", 550,
                "5.1.1 The email account that you tried to reach does not exist.");
        event.putObject("envelope").put("sender", WebhookFixture.verp(campaign, anna, email)).put("targets", email);

        HttpResponse<String> first = post(signed(event));
        HttpResponse<String> again = post(signed(event)); // the same event, delivered twice: a new signature each time

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(app.events("mailgun:ev-hard-" + anna)).containsExactly(
                List.of("bounce", Long.toString(anna), Long.toString(campaign), "true", "5.1.1", "recipient"));
        assertThat(app.suppressions(email)).containsExactly("bounced");
        assertThat(app.accessLog(2)).anyMatch(line -> line.startsWith("POST /webhooks/mailgun 200 "))
                .noneMatch(line -> line.contains(email) || line.contains("ev-hard"));
    }

    @Test
    void aSenderFaultBounceSuppressesNobody() throws Exception {
        String email = unique("bob@gmail.com");
        app.contact(email, "newsletter");

        HttpResponse<String> response = post(signed(failed("ev-auth-" + email, email, "permanent", 550,
                "5.7.26 This mail has been blocked because the sender is unauthenticated.")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(app.events("mailgun:ev-auth-" + email)).singleElement()
                .satisfies(row -> assertThat(row.get(3)).isEqualTo("false"))
                .satisfies(row -> assertThat(row.get(5)).isEqualTo("sender"));
        assertThat(app.suppressions(email)).isEmpty();
    }

    @Test
    void aTemporaryFailureIsNewsNotABounce() throws Exception {
        String email = unique("cecylia@example.pl");
        app.contact(email, "newsletter");
        var before = app.fingerprints();

        HttpResponse<String> response = post(signed(failed("ev-temp", email, "temporary", 452,
                "4.2.2 The email account that you tried to reach is over quota.")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(app.fingerprints()).isEqualTo(before);
    }

    @Test
    void complaintsSuppressAndUnsubscribesWithdrawTheCampaignsPurposeOrEverything() throws Exception {
        String dora = unique("dora@example.pl");
        String emil = unique("emil@example.pl");
        String fryderyk = unique("fryderyk@example.pl");
        long campaign = app.campaign("offers");
        app.contact(dora, "newsletter");
        long emilId = app.contact(emil, "newsletter", "offers");
        long fryderykId = app.contact(fryderyk, "newsletter");
        ObjectNode complained = event("ev-c-" + dora, "complained", dora);
        ObjectNode unsubscribed = event("ev-u-" + emil, "unsubscribed", emil);
        unsubscribed.putObject("message").putObject("headers")
                .put("list-unsubscribe", WebhookFixture.listUnsubscribe(campaign, emilId, emil));
        ObjectNode byAddress = event("ev-u-" + fryderyk, "unsubscribed", fryderyk);

        for (ObjectNode event : List.of(complained, unsubscribed, byAddress)) {
            assertThat(post(signed(event)).statusCode()).isEqualTo(200);
        }

        assertThat(app.suppressions(dora)).containsExactly("complaint");
        assertThat(app.latestConsent(emilId, "offers")).containsExactly("withdrawn",
                "Mailgun unsubscribe (campaign " + campaignName(campaign) + ")");
        assertThat(app.latestConsent(emilId, "newsletter")).as("other purposes stay").containsExactly("granted", "test");
        assertThat(app.latestConsent(fryderykId, "*")).as("no campaign to tell which list: everything")
                .containsExactly("withdrawn", "Mailgun unsubscribe");
    }

    @Test
    void anUnsubscribeOfADoubleOptInMessageWithdrawsThePurposeItsTokenNames() throws Exception {
        String email = unique("hanna@example.pl");
        long hanna = app.contact(email, "newsletter", "offers");
        String token = TestSecret.SIGNER.sign(new Token(Token.Kind.UNSUBSCRIBE, 0, hanna, "offers",
                LocalDate.now().toEpochDay(), email));
        ObjectNode unsubscribed = event("ev-u-optin-" + hanna, "unsubscribed", email);
        unsubscribed.putObject("message").putObject("headers")
                .put("list-unsubscribe", "<mailto:unsubscribe+" + token + "@" + WebhookFixture.DOMAIN + ">");

        assertThat(post(signed(unsubscribed)).statusCode()).isEqualTo(200);

        assertThat(app.latestConsent(hanna, "offers")).containsExactly("withdrawn", "Mailgun unsubscribe");
        assertThat(app.latestConsent(hanna, "newsletter")).containsExactly("granted", "test");
    }

    @Test
    void aForgedSignatureAStaleOrFutureTimestampAndAReplayedTokenAre401AndRecordNothing() throws Exception {
        String email = unique("gosia@example.pl");
        app.contact(email, "newsletter");
        ObjectNode event = failed("ev-forged", email, "permanent", 550, "5.1.1 user unknown");
        long now = Instant.now().getEpochSecond();
        byte[] good = signed(event, now, token(), SIGNING_KEY);
        assertThat(post(good).statusCode()).isEqualTo(200);
        var before = app.fingerprints();

        ObjectNode tampered = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) tampered.get("event-data")).put("recipient", unique("someone-else@example.pl"));
        byte[] otherKey = signed(event, now, token(), "key-not-the-one-mailgun-has-0000");
        byte[] stale = signed(event, now - 10 * 60, token(), SIGNING_KEY);
        byte[] future = signed(event, now + 60 * 60, token(), SIGNING_KEY);
        ObjectNode unsigned = JSON.createObjectNode();
        unsigned.set("event-data", event);

        for (byte[] bad : List.of(JSON.writeValueAsBytes(tampered), otherKey, stale, future, good,
                JSON.writeValueAsBytes(unsigned))) {
            HttpResponse<String> response = post(bad);
            assertThat(response.statusCode()).as(new String(bad, StandardCharsets.UTF_8)).isEqualTo(401);
            assertThat(response.body()).doesNotContain(email);
        }
        assertThat(post(good).body()).as("the replay").contains("token used before");
        assertThat(app.fingerprints()).isEqualTo(before);
    }

    @Test
    void malformedJsonIs400() throws Exception {
        assertThat(post("{\"signature\": ".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(400);
        assertThat(post("[1] [2]".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(400);
    }

    // --- helpers ----------------------------------------------------------------------------

    private static String campaignName(long campaign) {
        return app.db.rows("select name from campaign where id = ?", campaign).get(0).get(0);
    }

    static ObjectNode event(String id, String kind, String recipient) {
        ObjectNode event = JSON.createObjectNode();
        event.put("event", kind).put("id", id).put("timestamp", 1_767_225_600.123456).put("recipient", recipient);
        return event;
    }

    static ObjectNode failed(String id, String recipient, String severity, int code, String message) {
        ObjectNode event = event(id, "failed", recipient).put("severity", severity).put("reason", "bounce");
        event.putObject("delivery-status").put("code", code).put("message", message).put("description", "")
                .put("attempt-no", 1);
        return event;
    }

    static byte[] signed(ObjectNode event) throws Exception {
        return signed(event, Instant.now().getEpochSecond(), token(), SIGNING_KEY);
    }

    static byte[] signed(ObjectNode event, long timestamp, String token, String key) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = HexFormat.of().formatHex(mac.doFinal((timestamp + token).getBytes(StandardCharsets.UTF_8)));
        ObjectNode body = JSON.createObjectNode();
        body.putObject("signature").put("timestamp", Long.toString(timestamp)).put("token", token)
                .put("signature", signature);
        body.set("event-data", event);
        return JSON.writeValueAsBytes(body);
    }

    static String token() {
        byte[] bytes = new byte[25];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static HttpResponse<String> post(byte[] body) throws Exception {
        return app.post("/webhooks/mailgun", body, Map.of("Content-Type", "application/json"));
    }
}
