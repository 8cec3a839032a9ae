package dev.mailer.feedback.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailer.feedback.FeedbackRecorder;
import dev.mailer.feedback.ProviderFeedback;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/ses}: Amazon SNS notifications of SES bounces and complaints (an HTTPS
 * subscription of the topic SES publishes to, raw message delivery off).
 *
 * <p>Every message is checked before anything else is done with it: its signature (SignatureVersion
 * 1, SHA1withRSA, or 2, SHA256withRSA) over SNS's canonical string, with the certificate at its
 * {@code SigningCertURL}, which must be an SNS host of AWS ({@link SnsCertificates}) and valid now.
 * With {@code topic-arns} listed, messages of other topics are refused (403). Then:
 * <ul>
 *   <li>{@code SubscriptionConfirmation}: the subscription is confirmed by fetching its
 *       {@code SubscribeURL} (same host rule);</li>
 *   <li>{@code Notification}: the SES notification in {@code Message} is read as the mailbox reads
 *       one ({@link ProviderFeedback#ses}) and recorded;</li>
 *   <li>{@code UnsubscribeConfirmation}: noted, nothing else.</li>
 * </ul>
 * A certificate or confirmation that cannot be fetched answers 503, so SNS tries again.
 */
final class SesWebhook implements Webhook {
    static final String NAME = "ses";
    private static final Logger LOG = LoggerFactory.getLogger(SesWebhook.class);
    private static final List<String> NOTIFICATION_FIELDS = List.of("Message", "MessageId", "Subject", "Timestamp",
            "TopicArn", "Type");
    private static final List<String> SUBSCRIPTION_FIELDS = List.of("Message", "MessageId", "SubscribeURL",
            "Timestamp", "Token", "TopicArn", "Type");

    private final FeedbackRecorder recorder;
    private final ProviderFeedback feedback;
    private final SnsCertificates certificates;
    private final Set<String> topics;

    /** @param topics the only topic ARNs taken; empty: any */
    SesWebhook(FeedbackRecorder recorder, ProviderFeedback feedback, SnsCertificates certificates, List<String> topics) {
        this.recorder = recorder;
        this.feedback = feedback;
        this.certificates = certificates;
        this.topics = Set.copyOf(topics);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public WebhookAnswer handle(WebhookRequest request) {
        JsonNode message;
        try {
            message = Json.read(request.body());
        } catch (Json.Malformed e) {
            return WebhookAnswer.badRequest("malformed JSON");
        }
        if (!message.isObject()) {
            return WebhookAnswer.badRequest("not an SNS message");
        }
        String type = Json.text(message, "Type");
        String announced = request.header("x-amz-sns-message-type");
        if (type == null || announced != null && !announced.strip().equals(type)) {
            return WebhookAnswer.badRequest("not an SNS message");
        }
        List<String> signed = switch (type) {
            case "Notification" -> NOTIFICATION_FIELDS;
            case "SubscriptionConfirmation", "UnsubscribeConfirmation" -> SUBSCRIPTION_FIELDS;
            default -> null;
        };
        if (signed == null) {
            return WebhookAnswer.badRequest("not an SNS message type");
        }
        Optional<WebhookAnswer> refused = verify(message, signed);
        if (refused.isPresent()) {
            return refused.get();
        }
        String topic = Json.text(message, "TopicArn");
        if (!topics.isEmpty() && !topics.contains(topic)) {
            LOG.warn("SES webhook: a message of SNS topic {} refused (not under webhooks.ses.topic-arns)", topic);
            return WebhookAnswer.of(403, "topic not listed under webhooks.ses.topic-arns");
        }
        return switch (type) {
            case "Notification" -> notification(message);
            case "SubscriptionConfirmation" -> confirm(message, topic);
            default -> {
                LOG.info("SES webhook: SNS says the subscription to topic {} ended", topic);
                yield WebhookAnswer.ok();
            }
        };
    }

    private WebhookAnswer notification(JsonNode message) {
        JsonNode notification;
        try {
            notification = Json.read(message.path("Message").asText());
        } catch (Json.Malformed e) {
            return WebhookAnswer.ok(); // a test message typed into the SNS console: nothing to record
        }
        Webhooks.record(recorder, feedback.ses(notification, Json.text(message, "MessageId")));
        return WebhookAnswer.ok();
    }

    private WebhookAnswer confirm(JsonNode message, String topic) {
        Optional<URI> url = SnsCertificates.snsUrl(Json.text(message, "SubscribeURL"));
        if (url.isEmpty()) {
            return WebhookAnswer.unauthorized("SubscribeURL is not on an SNS host of AWS");
        }
        try {
            certificates.confirm(url.get());
        } catch (IOException e) {
            LOG.warn("SES webhook: could not confirm the subscription to SNS topic {}: {}", topic, e.getMessage());
            return WebhookAnswer.of(503, "could not confirm the subscription; try again").withHeader("Retry-After", "60");
        }
        LOG.info("SES webhook: confirmed the subscription to SNS topic {}", topic);
        return WebhookAnswer.ok();
    }

    /** Empty when the message is signed by SNS; else the answer (401, or 503 when SNS cannot be asked). */
    private Optional<WebhookAnswer> verify(JsonNode message, List<String> signedFields) {
        String algorithm = switch (String.valueOf(Json.text(message, "SignatureVersion"))) {
            case "1" -> "SHA1withRSA";
            case "2" -> "SHA256withRSA";
            default -> null;
        };
        if (algorithm == null) {
            return Optional.of(WebhookAnswer.unauthorized("unknown SignatureVersion"));
        }
        Optional<URI> certificateUrl = SnsCertificates.certificateUrl(Json.text(message, "SigningCertURL"));
        if (certificateUrl.isEmpty()) {
            return Optional.of(WebhookAnswer.unauthorized("SigningCertURL is not on an SNS host of AWS"));
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(String.valueOf(Json.text(message, "Signature")));
        } catch (IllegalArgumentException e) {
            return Optional.of(WebhookAnswer.unauthorized("signature does not verify"));
        }
        String toSign = stringToSign(message, signedFields);
        if (toSign == null) {
            return Optional.of(WebhookAnswer.unauthorized("signature does not verify"));
        }
        X509Certificate certificate;
        try {
            certificate = certificates.certificate(certificateUrl.get());
        } catch (IOException e) {
            LOG.warn("SES webhook: could not fetch SNS's signing certificate: {}", e.getMessage());
            return Optional.of(WebhookAnswer.of(503, "could not fetch the signing certificate; try again")
                    .withHeader("Retry-After", "60"));
        } catch (GeneralSecurityException e) {
            return Optional.of(WebhookAnswer.unauthorized("the signing certificate is not valid"));
        }
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate);
            verifier.update(toSign.getBytes(StandardCharsets.UTF_8));
            if (verifier.verify(signature)) {
                return Optional.empty();
            }
        } catch (GeneralSecurityException e) {
            // a signature that is not even RSA-shaped does not verify either
        }
        return Optional.of(WebhookAnswer.unauthorized("signature does not verify"));
    }

    /**
     * SNS's string to sign: each field that is present, in this order, as {@code name\nvalue\n};
     * only Subject may be missing. Null when another is.
     */
    static String stringToSign(JsonNode message, List<String> fields) {
        StringBuilder out = new StringBuilder();
        for (String field : fields) {
            JsonNode value = message.get(field);
            if (value == null || value.isNull()) {
                if (field.equals("Subject")) {
                    continue;
                }
                return null;
            }
            if (!value.isTextual()) {
                return null;
            }
            out.append(field).append('\n').append(value.asText()).append('\n');
        }
        return out.toString();
    }
}
