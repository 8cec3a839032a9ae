package dev.mailer.config;

import dev.mailer.contacts.EmailAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a {@code mailer.yaml} says (SPEC §2). Every value is null (lists: empty) when the file
 * does not set it, so the caller can apply "flag > environment > file > default" key by key.
 * Paths ({@code templates}, {@code dkim.private-key}) are as written, not resolved.
 *
 * @param file the file read, or null for {@link #EMPTY}
 * @param db a {@code jdbc:postgresql://} URL; may hold a password
 * @param smtp relay URLs in file order; may hold passwords
 * @param mailbox the feedback mailbox URL; may hold a password
 * @param unsubscribeBaseUrl where {@code mailer serve} is reachable
 * @param bounceAddress the VERP base address for bounces
 * @param unsubscribeAddress the base address for mailto: unsubscribes
 * @param templates the templates directory
 * @param sender the organisation named in every message; never null, its fields may be
 * @param dkim DKIM signing settings, or null when the file has none
 * @param tlsCa a PEM bundle of certificate authorities trusted besides the JVM's, for relays and the
 *              mailbox; as written (relative to the working directory), or null
 * @param purposes the consent purposes serve offers ({@code purposes:}); never null
 * @param serve what serve's sign-up form may do ({@code serve:}); never null
 * @param passwordFiles files holding the passwords of URLs that name a user without one; never null
 * @param maxMessageSize the most one rendered message may come to, in bytes; null for the default
 * @param webhooks the providers that may report feedback to serve ({@code webhooks:}); never null;
 *                 holds secrets
 */
public record ConfigFileValues(
        Path file,
        String db,
        List<String> smtp,
        String mailbox,
        URI unsubscribeBaseUrl,
        EmailAddress bounceAddress,
        EmailAddress unsubscribeAddress,
        String templates,
        Sender sender,
        Dkim dkim,
        String tlsCa,
        Purposes purposes,
        ServeConfig serve,
        PasswordFiles passwordFiles,
        Long maxMessageSize,
        WebhooksConfig webhooks) {

    /** The values when there is no config file. */
    public static final ConfigFileValues EMPTY =
            new ConfigFileValues(null, null, List.of(), null, null, null, null, null, Sender.NONE, null, null,
                    Purposes.NONE, ServeConfig.DEFAULT, PasswordFiles.NONE, null, WebhooksConfig.NONE);

    public ConfigFileValues {
        smtp = smtp == null ? List.of() : List.copyOf(smtp);
        sender = sender == null ? Sender.NONE : sender;
        purposes = purposes == null ? Purposes.NONE : purposes;
        serve = serve == null ? ServeConfig.DEFAULT : serve;
        passwordFiles = passwordFiles == null ? PasswordFiles.NONE : passwordFiles;
        webhooks = webhooks == null ? WebhooksConfig.NONE : webhooks;
    }

    /** Without password files, size cap and {@code webhooks:}. */
    public ConfigFileValues(Path file, String db, List<String> smtp, String mailbox, URI unsubscribeBaseUrl,
                            EmailAddress bounceAddress, EmailAddress unsubscribeAddress, String templates,
                            Sender sender, Dkim dkim, String tlsCa, Purposes purposes, ServeConfig serve) {
        this(file, db, smtp, mailbox, unsubscribeBaseUrl, bounceAddress, unsubscribeAddress, templates, sender, dkim,
                tlsCa, purposes, serve, PasswordFiles.NONE, null, WebhooksConfig.NONE);
    }

    /**
     * Paths (as written, relative to the working directory) of files that each hold one password, for
     * the URLs of that service that name a user without a password; each null when not set.
     */
    public record PasswordFiles(String db, String smtp, String mailbox) {
        public static final PasswordFiles NONE = new PasswordFiles(null, null, null);
    }

    /**
     * @param organisation the legal name of the sender
     * @param postalAddress the sender's postal address, possibly on several lines
     * @param dpoEmail the data-protection officer's address
     */
    public record Sender(String organisation, String postalAddress, EmailAddress dpoEmail) {
        public static final Sender NONE = new Sender(null, null, null);
    }

    /**
     * @param domain the signing domain (d=), lower-case ASCII
     * @param selector the selector (s=)
     * @param privateKey path of the PEM (PKCS#8) private key, as written
     */
    public record Dkim(String domain, String selector, String privateKey) {
        public Dkim {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(selector, "selector");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    /** Never shows db, smtp, mailbox or webhook secrets: a record's default toString would print their passwords into a log. */
    @Override
    public String toString() {
        return "ConfigFileValues[file=" + file
                + ", db=" + (db == null ? "null" : "(set)")
                + ", smtp=" + (smtp.isEmpty() ? "[]" : "(" + smtp.size() + " set)")
                + ", mailbox=" + (mailbox == null ? "null" : "(set)")
                + ", unsubscribeBaseUrl=" + unsubscribeBaseUrl
                + ", bounceAddress=" + bounceAddress
                + ", unsubscribeAddress=" + unsubscribeAddress
                + ", templates=" + templates
                + ", sender=" + sender
                + ", dkim=" + dkim
                + ", tlsCa=" + tlsCa
                + ", purposes=" + purposes
                + ", serve=" + serve
                + ", passwordFiles=" + passwordFiles
                + ", maxMessageSize=" + maxMessageSize
                + ", webhooks=" + webhooks + "]";
    }
}
