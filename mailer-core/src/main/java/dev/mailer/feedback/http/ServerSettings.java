package dev.mailer.feedback.http;

import dev.mailer.config.Purposes;
import dev.mailer.config.ServeConfig;
import dev.mailer.config.WebhooksConfig;
import dev.mailer.feedback.webhooks.HttpsFetcher;
import dev.mailer.message.TokenSigner;
import java.util.Objects;

/**
 * How {@code mailer serve} runs.
 *
 * @param tokens       verifies the links; must use the same secret as the sending side
 * @param organisation the sender's name for the pages' footer; null for none
 * @param trustProxy   take the client's address from {@code X-Forwarded-For} (only behind a
 *                     reverse proxy that sets it)
 * @param threads      requests handled at once; more wait in a short queue
 * @param maxBodyBytes the largest request body accepted
 * @param connectionsPerClient connections one client address may hold open at once (not applied
 *                     behind a trusted proxy, where every connection is the proxy's)
 * @param purposes     the purposes the pages name by their titles and the form offers
 * @param signUp       the sign-up form's redirects, tags and caps
 * @param signUps      where valid sign-ups go; null when the form is off (no purposes, or no relay)
 * @param webhooks     the providers whose webhooks ({@code /webhooks/NAME}) are on
 * @param snsFetch     fetches Amazon SNS's signing certificates and subscription links for the SES
 *                     webhook: the JVM's trust store unless a test stands in for SNS
 */
public record ServerSettings(TokenSigner tokens, String organisation, boolean trustProxy, int threads,
                             int maxBodyBytes, int connectionsPerClient, Purposes purposes, ServeConfig signUp,
                             SignUps signUps, WebhooksConfig webhooks, HttpsFetcher snsFetch) {
    public static final int DEFAULT_THREADS = 16;
    /** The forms post a few dozen bytes; RFC 8058's body is 26. */
    public static final int DEFAULT_MAX_BODY_BYTES = 8 * 1024;
    /**
     * The webhooks' body cap, apart from the forms': a SendGrid batch or an SNS message with the
     * original's headers runs to hundreds of kilobytes.
     */
    public static final int MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
    /** A browser opens up to 6; a few people behind one NAT address can use several each. */
    public static final int DEFAULT_CONNECTIONS_PER_CLIENT = 16;

    public ServerSettings {
        Objects.requireNonNull(tokens, "tokens");
        if (threads < 1 || maxBodyBytes < 64 || connectionsPerClient < 1) {
            throw new IllegalArgumentException("threads and connections per client must be at least 1 and the body"
                    + " cap at least 64 bytes");
        }
        purposes = purposes == null ? Purposes.NONE : purposes;
        signUp = signUp == null ? ServeConfig.DEFAULT : signUp;
        webhooks = webhooks == null ? WebhooksConfig.NONE : webhooks;
    }

    /** Without webhooks. */
    public ServerSettings(TokenSigner tokens, String organisation, boolean trustProxy, int threads, int maxBodyBytes,
                          int connectionsPerClient, Purposes purposes, ServeConfig signUp, SignUps signUps) {
        this(tokens, organisation, trustProxy, threads, maxBodyBytes, connectionsPerClient, purposes, signUp, signUps,
                WebhooksConfig.NONE, null);
    }

    public static ServerSettings of(TokenSigner tokens, String organisation, boolean trustProxy) {
        return new ServerSettings(tokens, organisation, trustProxy, DEFAULT_THREADS, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_CONNECTIONS_PER_CLIENT, Purposes.NONE, ServeConfig.DEFAULT, null);
    }

    /** The same with the sign-up form on: these purposes and limits, sign-ups handed to {@code signUps}. */
    public ServerSettings withSignUpForm(Purposes purposes, ServeConfig signUp, SignUps signUps) {
        return new ServerSettings(tokens, organisation, trustProxy, threads, maxBodyBytes, connectionsPerClient,
                purposes, signUp, signUps, webhooks, snsFetch);
    }

    /** The same with these purposes' titles on the pages, the form staying off. */
    public ServerSettings withPurposes(Purposes purposes) {
        return new ServerSettings(tokens, organisation, trustProxy, threads, maxBodyBytes, connectionsPerClient,
                purposes, signUp, signUps, webhooks, snsFetch);
    }

    /** The same with another cap on connections per client address. */
    public ServerSettings withConnectionsPerClient(int connections) {
        return new ServerSettings(tokens, organisation, trustProxy, threads, maxBodyBytes, connections, purposes,
                signUp, signUps, webhooks, snsFetch);
    }

    /** The same with these providers' webhooks on. */
    public ServerSettings withWebhooks(WebhooksConfig webhooks) {
        return new ServerSettings(tokens, organisation, trustProxy, threads, maxBodyBytes, connectionsPerClient,
                purposes, signUp, signUps, webhooks, snsFetch);
    }

    /** The same with SNS fetched through this (a test's stand-in for SNS); null: the JVM's trust store. */
    public ServerSettings withSnsFetch(HttpsFetcher fetch) {
        return new ServerSettings(tokens, organisation, trustProxy, threads, maxBodyBytes, connectionsPerClient,
                purposes, signUp, signUps, webhooks, fetch);
    }
}
