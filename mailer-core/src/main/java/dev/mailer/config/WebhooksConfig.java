package dev.mailer.config;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code webhooks:} in mailer.yaml (SPEC §9): which sending providers may report bounces, complaints
 * and unsubscribes to {@code mailer serve}, and what proves a request comes from them. A provider
 * is on when its proof is given; Amazon SES when {@code ses.topic-arns} lists its SNS topics.
 *
 * <pre>
 * webhooks:
 *   mailgun:  {signing-key: …}                       # or MAILER_MAILGUN_SIGNING_KEY
 *   sendgrid: {public-key: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…}   # or MAILER_SENDGRID_PUBLIC_KEY
 *   postmark: {user: …, password: …}                 # or MAILER_POSTMARK_USER / MAILER_POSTMARK_PASSWORD
 *   ses:      {topic-arns: [arn:aws:sns:eu-west-1:123456789012:ses-feedback]}
 * </pre>
 *
 * @param mailgunSigningKey  Mailgun's HTTP webhook signing key; null: Mailgun off
 * @param sendgridPublicKey  SendGrid's verification key, base64 as SendGrid shows it; null: SendGrid off
 * @param postmarkUser       the user name in the webhook URL Postmark is given; null: Postmark off
 * @param postmarkPassword   its password; given exactly when the user is
 * @param ses                whether SES notifications through Amazon SNS are taken
 * @param sesTopicArns       the only SNS topics taken (and whose subscriptions are confirmed); empty: any
 */
public record WebhooksConfig(String mailgunSigningKey, String sendgridPublicKey, String postmarkUser,
                             String postmarkPassword, boolean ses, List<String> sesTopicArns) {

    /** No provider on. */
    public static final WebhooksConfig NONE = new WebhooksConfig(null, null, null, null, false, List.of());

    static final List<String> KEYS = List.of("mailgun", "sendgrid", "postmark", "ses");
    static final List<String> MAILGUN_KEYS = List.of("signing-key");
    static final List<String> SENDGRID_KEYS = List.of("public-key");
    static final List<String> POSTMARK_KEYS = List.of("user", "password");
    static final List<String> SES_KEYS = List.of("topic-arns");
    private static final Pattern TOPIC_ARN = Pattern.compile("arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_.-]{1,256}");
    private static final int MIN_SECRET_CHARS = 8;

    public WebhooksConfig {
        sesTopicArns = sesTopicArns == null ? List.of() : List.copyOf(sesTopicArns);
        if ((postmarkUser == null) != (postmarkPassword == null)) {
            throw new IllegalArgumentException("Postmark needs both a user and a password");
        }
    }

    /** Whether any provider is on. */
    public boolean any() {
        return mailgunSigningKey != null || sendgridPublicKey != null || postmarkUser != null || ses;
    }

    /** The same with Mailgun's signing key from elsewhere (the environment), when given. */
    public WebhooksConfig withMailgunSigningKey(String key) {
        return key == null ? this
                : new WebhooksConfig(key, sendgridPublicKey, postmarkUser, postmarkPassword, ses, sesTopicArns);
    }

    /** The same with SendGrid's verification key from elsewhere, when given. */
    public WebhooksConfig withSendgridPublicKey(String key) {
        return key == null ? this
                : new WebhooksConfig(mailgunSigningKey, key, postmarkUser, postmarkPassword, ses, sesTopicArns);
    }

    /** The same with Postmark's user and password from elsewhere; either may be null (then the other stays). */
    public WebhooksConfig withPostmark(String user, String password) {
        return new WebhooksConfig(mailgunSigningKey, sendgridPublicKey, user != null ? user : postmarkUser,
                password != null ? password : postmarkPassword, ses, sesTopicArns);
    }

    /**
     * SendGrid's verification key: base64 of an X.509 SubjectPublicKeyInfo holding a P-256 key, as
     * SendGrid's settings page shows it (a PEM's BEGIN/END lines and line breaks are allowed too).
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static ECPublicKey sendgridKey(String base64) {
        String body = base64 == null ? "" : base64.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "")
                .replaceAll("\\s+", "");
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(
                    new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
            if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
                return ec;
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // said below
        }
        throw new IllegalArgumentException("be the verification key SendGrid shows (base64, an ECDSA P-256 public key)");
    }

    /** Never shows the signing key or the password. */
    @Override
    public String toString() {
        return "WebhooksConfig[mailgun=" + (mailgunSigningKey == null ? "off" : "(set)")
                + ", sendgrid=" + (sendgridPublicKey == null ? "off" : "on")
                + ", postmark=" + (postmarkUser == null ? "off" : "(set)")
                + ", ses=" + (ses ? "on" + sesTopicArns : "off") + "]";
    }

    /** Reads {@code webhooks:}; every mistake names the key and line, never a secret's value. */
    static WebhooksConfig read(YamlValue v) {
        YamlMap m = v.map().allowOnly(KEYS);
        String mailgun = null;
        Optional<YamlValue> mailgunValue = m.optional("mailgun");
        if (mailgunValue.isPresent()) {
            mailgun = secret(mailgunValue.get().map().allowOnly(MAILGUN_KEYS).required("signing-key"));
        }
        String sendgrid = null;
        Optional<YamlValue> sendgridValue = m.optional("sendgrid");
        if (sendgridValue.isPresent()) {
            YamlValue key = sendgridValue.get().map().allowOnly(SENDGRID_KEYS).required("public-key");
            sendgrid = key.text().strip();
            try {
                sendgridKey(sendgrid);
            } catch (IllegalArgumentException e) {
                throw key.invalid(e.getMessage());
            }
        }
        String user = null;
        String password = null;
        Optional<YamlValue> postmarkValue = m.optional("postmark");
        if (postmarkValue.isPresent()) {
            YamlMap postmark = postmarkValue.get().map().allowOnly(POSTMARK_KEYS);
            YamlValue userValue = postmark.required("user");
            user = userValue.text().strip();
            if (user.isEmpty() || user.contains(":") || user.codePoints().anyMatch(Character::isISOControl)) {
                throw userValue.invalid("be a user name without ':'");
            }
            password = secret(postmark.required("password"));
        }
        boolean ses = false;
        List<String> topics = new ArrayList<>();
        Optional<YamlValue> sesValue = m.optional("ses");
        if (sesValue.isPresent()) { // "ses:" alone, like any empty key, is not set
            ses = true;
            // a valid SNS signature proves only that SNS sent it, not whose topic: anyone with an AWS
            // account could subscribe this URL and report bounces that suppress real people
            YamlValue list = sesValue.get().map().allowOnly(SES_KEYS).required("topic-arns",
                    ": list the SNS topics your SES identities publish to, such as"
                            + " [arn:aws:sns:eu-west-1:123456789012:ses-feedback]");
            list.list().forEach(e -> topics.add(topicArn(e)));
            if (topics.isEmpty()) {
                throw list.error("'" + list.path() + "' is empty: list at least one SNS topic ARN.");
            }
        }
        return new WebhooksConfig(mailgun, sendgrid, user, password, ses, topics);
    }

    private static String secret(YamlValue v) {
        String text = v.text().strip();
        if (text.length() < MIN_SECRET_CHARS || text.codePoints().anyMatch(cp -> Character.isWhitespace(cp)
                || Character.isISOControl(cp))) {
            throw v.invalid("be at least " + MIN_SECRET_CHARS + " characters without spaces");
        }
        return text;
    }

    private static String topicArn(YamlValue v) {
        String arn = v.text().strip();
        if (!TOPIC_ARN.matcher(arn).matches()) {
            throw v.invalid("be an SNS topic ARN like arn:aws:sns:eu-west-1:123456789012:ses-feedback");
        }
        return arn;
    }
}
