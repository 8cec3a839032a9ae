package dev.mailer.feedback.webhooks;

import static dev.mailer.feedback.webhooks.WebhookFixture.JSON;
import static dev.mailer.feedback.webhooks.WebhookFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.mailer.config.WebhooksConfig;
import dev.mailer.transport.TestCertificate;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /webhooks/ses}: Amazon SNS messages signed with a key of the test's own, whose
 * self-signed certificate a local HTTPS server hands out in SNS's place. The webhook still sees
 * SNS's URLs ({@code https://sns.eu-west-1.amazonaws.com/…}) and applies its host rule to them;
 * only the fetcher that the test gives it sends them to the local server, trusting its certificate.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WebhookSesTest {
    static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback";
    static final String OTHER_TOPIC = "arn:aws:sns:eu-west-1:999999999999:someone-elses";
    static final String CERT_PATH = "/SimpleNotificationService-01d088a6f77103d0fe307c0069e40ed6.pem";
    static final String CERT_URL = "https://sns.eu-west-1.amazonaws.com" + CERT_PATH;
    static final String EXPIRED_PATH = "/SimpleNotificationService-expired.pem";

    @TempDir
    static Path dir;
    private static WebhookFixture app;
    private static HttpsServer sns;
    /** What the stand-in for SNS was asked for: path and query. */
    private static final List<String> ASKED = new CopyOnWriteArrayList<>();
    private static PrivateKey signingKey;
    private static PrivateKey strangersKey;
    private static PrivateKey expiredKey;

    @BeforeAll
    static void start() throws Exception {
        TestCertificate tls = TestCertificate.generate(dir, "localhost", "dns:localhost,ip:127.0.0.1");
        TestCertificate signing = TestCertificate.generate(dir, "sns.amazonaws.com", "dns:sns.amazonaws.com");
        TestCertificate stranger = TestCertificate.generate(dir, "stranger", "dns:stranger.example");
        signingKey = privateKey(signing);
        strangersKey = privateKey(stranger);
        byte[] pem = Files.readAllBytes(signing.writePem(dir.resolve("sns.pem")));
        Path expiredStore = expiredCertificate(dir.resolve("expired.p12"));
        expiredKey = privateKey(expiredStore);
        byte[] expiredPem = pem(expiredStore);

        sns = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        sns.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        sns.createContext("/", exchange -> {
            URI asked = exchange.getRequestURI();
            ASKED.add(asked.getRawPath() + (asked.getRawQuery() == null ? "" : "?" + asked.getRawQuery()));
            byte[] body;
            int status;
            if (asked.getRawPath().equals(CERT_PATH)) {
                status = 200;
                body = pem;
            } else if (asked.getRawPath().equals(EXPIRED_PATH)) {
                status = 200;
                body = expiredPem;
            } else if (asked.getRawPath().equals("/") && String.valueOf(asked.getRawQuery()).startsWith(
                    "Action=ConfirmSubscription")) {
                status = 200;
                body = "<ConfirmSubscriptionResponse/>".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 404;
                body = new byte[0];
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        sns.start();
        int port = sns.getAddress().getPort();
        HttpsFetcher standIn = HttpsFetcher.trusting(trustingOnly(tls), uri -> URI.create("https://localhost:" + port
                + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
        app = WebhookFixture.start(new WebhooksConfig(null, null, null, null, true, List.of(TOPIC, OTHER_TOPIC + "-x")),
                standIn);
    }

    @AfterAll
    static void stop() {
        app.close();
        sns.stop(0);
    }

    @Test
    void aSignedHardBounceIsRecordedOnceForThePersonOurVerpTokenNames() throws Exception {
        String email = unique("anna@example.pl");
        long campaign = app.campaign("newsletter");
        long anna = app.contact(email, "newsletter");
        String feedbackId = "0102018c-" + UUID.randomUUID();
        ObjectNode notification = bounce(feedbackId, "Permanent", "General", email, "5.1.1",
                "smtp; 550 5.1.1 <" + email + ">: Recipient address rejected: User unknown");
        ((ObjectNode) notification.get("mail")).put("source", WebhookFixture.verp(campaign, anna, email));
        ObjectNode message = notification(notification, "1", signingKey);

        HttpResponse<String> first = post(message);
        HttpResponse<String> again = post(notification(notification, "1", signingKey)); // SNS retries: a new MessageId

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(app.events("ses:" + feedbackId)).containsExactly(
                List.of("bounce", Long.toString(anna), Long.toString(campaign), "true", "5.1.1", "recipient"));
        assertThat(app.suppressions(email)).containsExactly("bounced");
        assertThat(ASKED.stream().filter(CERT_PATH::equals)).as("the certificate is fetched once, then cached")
                .hasSize(1);
    }

    @Test
    void aComplaintSignedWithSignatureVersion2Suppresses() throws Exception {
        String email = unique("bob@example.pl");
        app.contact(email, "newsletter");
        ObjectNode notification = JSON.createObjectNode().put("notificationType", "Complaint");
        ObjectNode complaint = notification.putObject("complaint");
        complaint.put("feedbackId", "c-" + UUID.randomUUID()).put("complaintFeedbackType", "abuse")
                .putArray("complainedRecipients").addObject().put("emailAddress", email);
        notification.putObject("mail").put("source", "news@" + WebhookFixture.DOMAIN);

        HttpResponse<String> response = post(notification(notification, "2", signingKey));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(app.suppressions(email)).containsExactly("complaint");
    }

    @Test
    void aBounceForTheSendersFaultSuppressesNobody() throws Exception {
        String email = unique("cecylia@gmail.com");
        app.contact(email, "newsletter");
        String feedbackId = "auth-" + UUID.randomUUID();
        ObjectNode notification = bounce(feedbackId, "Permanent", "General", email, "5.7.26",
                "smtp; 550-5.7.26 This mail has been blocked because the sender is unauthenticated.");

        HttpResponse<String> response = post(notification(notification, "1", signingKey));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(app.events("ses:" + feedbackId)).singleElement()
                .satisfies(row -> assertThat(row.subList(3, 6)).containsExactly("false", "5.7.26", "sender"));
        assertThat(app.suppressions(email)).isEmpty();
    }

    @Test
    void aTamperedOrStrangersMessageIs401AndRecordsNothing() throws Exception {
        String email = unique("dora@example.pl");
        app.contact(email, "newsletter");
        ObjectNode notification = bounce("t-" + UUID.randomUUID(), "Permanent", "General", email, "5.1.1",
                "smtp; 550 5.1.1 user unknown");
        ObjectNode tampered = notification(notification, "1", signingKey);
        tampered.put("Message", tampered.get("Message").asText().replace(email, unique("eve@example.pl")));
        ObjectNode strangers = notification(notification, "1", strangersKey);
        ObjectNode badVersion = notification(notification, "1", signingKey).put("SignatureVersion", "3");
        ObjectNode notBase64 = notification(notification, "1", signingKey).put("Signature", "%%%");
        var before = app.fingerprints();

        for (ObjectNode bad : List.of(tampered, strangers, badVersion, notBase64)) {
            HttpResponse<String> response = post(bad);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        }
        assertThat(app.fingerprints()).isEqualTo(before);
    }

    @Test
    void aCertificateThatIsNoLongerValidIsRefused() throws Exception {
        String email = unique("gosia@example.pl");
        app.contact(email, "newsletter");
        ObjectNode message = signed(envelope("Notification", JSON.writeValueAsString(
                bounce("x-" + UUID.randomUUID(), "Permanent", "General", email, "5.1.1", "smtp; 550 5.1.1 unknown")),
                "1", "https://sns.eu-west-1.amazonaws.com" + EXPIRED_PATH), expiredKey);
        var before = app.fingerprints();

        HttpResponse<String> response = post(message);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("certificate is not valid");
        assertThat(app.fingerprints()).isEqualTo(before);
    }

    @Test
    void aCertificateUrlOnAnotherHostIsRefusedWithoutFetchingIt() throws Exception {
        String email = unique("emil@example.pl");
        app.contact(email, "newsletter");
        ObjectNode notification = bounce("h-" + UUID.randomUUID(), "Permanent", "General", email, "5.1.1",
                "smtp; 550 5.1.1 user unknown");
        var before = app.fingerprints();

        for (String url : List.of("https://sns.eu-west-1.amazonaws.com.evil.example/evil-1.pem",
                "https://evil.example/sns.eu-west-1.amazonaws.com/evil-2.pem",
                "http://sns.eu-west-1.amazonaws.com/evil-3.pem",
                "https://sns.eu-west-1.amazonaws.com:8443/evil-4.pem",
                "https://user@sns.eu-west-1.amazonaws.com/evil-5.pem",
                "https://sns.eu-west-1.amazonaws.com/evil-6.txt",
                "https://s3.amazonaws.com/evil-7.pem")) {
            ObjectNode message = signed(envelope("Notification", JSON.writeValueAsString(notification), "1", url),
                    signingKey);
            HttpResponse<String> response = post(message);
            assertThat(response.statusCode()).as(url).isEqualTo(401);
            assertThat(response.body()).contains("SigningCertURL");
        }
        assertThat(ASKED).noneMatch(asked -> asked.contains("evil"));
        assertThat(app.fingerprints()).isEqualTo(before);
    }

    @Test
    void aSubscriptionIsConfirmedByFetchingItsSubscribeUrlOnlyForAListedTopicOnAnSnsHost() throws Exception {
        String token = "confirm-" + UUID.randomUUID();
        ObjectNode confirmation = subscription(TOPIC, "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription"
                + "&TopicArn=" + TOPIC + "&Token=" + token);

        HttpResponse<String> confirmed = post(confirmation);

        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        assertThat(ASKED).contains("/?Action=ConfirmSubscription&TopicArn=" + TOPIC + "&Token=" + token);

        String other = "other-" + UUID.randomUUID();
        HttpResponse<String> unlisted = post(subscription(OTHER_TOPIC,
                "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + OTHER_TOPIC + "&Token="
                        + other));
        assertThat(unlisted.statusCode()).isEqualTo(403);
        String elsewhere = "elsewhere-" + UUID.randomUUID();
        HttpResponse<String> offHost = post(subscription(TOPIC,
                "https://evil.example/?Action=ConfirmSubscription&Token=" + elsewhere));
        assertThat(offHost.statusCode()).isEqualTo(401);
        assertThat(ASKED).noneMatch(asked -> asked.contains(other) || asked.contains(elsewhere));
    }

    @Test
    void aNotificationOfAnUnlistedTopicIs403() throws Exception {
        String email = unique("fryderyk@example.pl");
        app.contact(email, "newsletter");
        ObjectNode message = signed(envelope("Notification", JSON.writeValueAsString(
                bounce("u-" + UUID.randomUUID(), "Permanent", "General", email, "5.1.1", "smtp; 550 5.1.1 unknown")),
                "1", CERT_URL).put("TopicArn", OTHER_TOPIC), signingKey);
        var before = app.fingerprints();

        assertThat(post(message).statusCode()).isEqualTo(403);
        assertThat(app.fingerprints()).isEqualTo(before);
    }

    @Test
    void malformedJsonIs400AndATestMessageOfTheConsoleChangesNothing() throws Exception {
        assertThat(app.post("/webhooks/ses", "{\"Type\":".getBytes(StandardCharsets.UTF_8), Map.of()).statusCode())
                .isEqualTo(400);
        var before = app.fingerprints();
        HttpResponse<String> hello = post(signed(envelope("Notification", "Hello from the SNS console", "1", CERT_URL),
                signingKey));
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(app.fingerprints()).isEqualTo(before);
    }

    // --- SNS messages, signed as SNS signs them ---------------------------------------------

    static ObjectNode bounce(String feedbackId, String type, String subType, String email, String status,
                             String diagnostic) {
        ObjectNode notification = JSON.createObjectNode().put("notificationType", "Bounce");
        ObjectNode bounce = notification.putObject("bounce");
        bounce.put("feedbackId", feedbackId).put("bounceType", type).put("bounceSubType", subType)
                .put("timestamp", Instant.now().toString());
        bounce.putArray("bouncedRecipients").addObject().put("emailAddress", email).put("action", "failed")
                .put("status", status).put("diagnosticCode", diagnostic);
        ObjectNode mail = notification.putObject("mail");
        mail.put("source", "news@" + WebhookFixture.DOMAIN).put("messageId", UUID.randomUUID().toString());
        mail.putArray("destination").add(email);
        return notification;
    }

    static ObjectNode notification(ObjectNode sesNotification, String version, PrivateKey key) throws Exception {
        return signed(envelope("Notification", JSON.writeValueAsString(sesNotification), version, CERT_URL), key);
    }

    static ObjectNode envelope(String type, String message, String version, String certUrl) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("Type", type).put("MessageId", UUID.randomUUID().toString()).put("TopicArn", TOPIC)
                .put("Message", message).put("Timestamp", Instant.now().toString()).put("SignatureVersion", version)
                .put("SigningCertURL", certUrl)
                .put("UnsubscribeURL", "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x");
        return envelope;
    }

    private ObjectNode subscription(String topic, String subscribeUrl) throws Exception {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("Type", "SubscriptionConfirmation").put("MessageId", UUID.randomUUID().toString())
                .put("Token", "2336412f37fb687f5d51e6e2425c464d").put("TopicArn", topic)
                .put("Message", "You have chosen to subscribe to the topic " + topic + ".")
                .put("SubscribeURL", subscribeUrl).put("Timestamp", Instant.now().toString())
                .put("SignatureVersion", "1").put("SigningCertURL", CERT_URL);
        return signed(envelope, signingKey);
    }

    /** Signs as SNS does: the fields that are there, in order, each "Name\nvalue\n". */
    static ObjectNode signed(ObjectNode envelope, PrivateKey key) throws Exception {
        List<String> fields = envelope.get("Type").asText().equals("Notification")
                ? List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
                : List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type");
        StringBuilder text = new StringBuilder();
        for (String field : fields) {
            if (envelope.has(field)) {
                text.append(field).append('\n').append(envelope.get(field).asText()).append('\n');
            }
        }
        Signature signature = Signature.getInstance(envelope.get("SignatureVersion").asText().equals("2")
                ? "SHA256withRSA" : "SHA1withRSA");
        signature.initSign(key);
        signature.update(text.toString().getBytes(StandardCharsets.UTF_8));
        envelope.put("Signature", Base64.getEncoder().encodeToString(signature.sign()));
        return envelope;
    }

    private static HttpResponse<String> post(ObjectNode message) throws Exception {
        return app.post("/webhooks/ses", JSON.writeValueAsBytes(message),
                Map.of("Content-Type", "text/plain; charset=UTF-8", "x-amz-sns-message-type",
                        message.get("Type").asText()));
    }

    private static PrivateKey privateKey(TestCertificate certificate) throws Exception {
        return privateKey(certificate.keyStore());
    }

    private static PrivateKey privateKey(Path keyStore) throws Exception {
        KeyStore store = load(keyStore);
        return (PrivateKey) store.getKey(store.aliases().nextElement(), TestCertificate.PASSWORD.toCharArray());
    }

    private static KeyStore load(Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, TestCertificate.PASSWORD.toCharArray());
        }
        return store;
    }

    private static byte[] pem(Path keyStore) throws Exception {
        KeyStore store = load(keyStore);
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(store.getCertificate(store.aliases().nextElement()).getEncoded());
        return ("-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A key pair whose self-signed certificate was valid for one day, ten days ago. */
    private static Path expiredCertificate(Path store) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-noprompt", "-alias", "sns",
                "-keyalg", "RSA", "-keysize", "2048", "-startdate", "-10d", "-validity", "1",
                "-dname", "CN=sns.amazonaws.com", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", TestCertificate.PASSWORD, "-keypass", TestCertificate.PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(output).isTrue();
        return store;
    }

    /** An SSL context whose only trust anchor is the local server's certificate. */
    private static SSLContext trustingOnly(TestCertificate certificate) throws Exception {
        KeyStore store = load(certificate.keyStore());
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("sns-stand-in", store.getCertificate(store.aliases().nextElement()));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
