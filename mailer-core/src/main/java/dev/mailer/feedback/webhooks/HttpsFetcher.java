package dev.mailer.feedback.webhooks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * GETs small documents over HTTPS for the SES webhook: Amazon SNS's signing certificates and the
 * links that confirm a subscription. Which URLs may be asked for is the caller's rule
 * ({@link SnsCertificates}); this only fetches, with a deadline, no redirects and a size cap.
 *
 * <p>{@link #jvmTrust()} is what {@code mailer serve} uses: the JVM's trust store and nothing else.
 * {@link #trusting} exists for tests, where a local HTTPS server with its own certificate stands
 * in for SNS.
 */
public final class HttpsFetcher {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final int REQUEST_SECONDS = 10;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(REQUEST_SECONDS);

    private final HttpClient client;
    private final UnaryOperator<URI> route;

    private HttpsFetcher(HttpClient client, UnaryOperator<URI> route) {
        this.client = client;
        this.route = route;
    }

    /** The JVM's trust store; each URL fetched as it is. */
    public static HttpsFetcher jvmTrust() {
        try {
            return trusting(SSLContext.getDefault(), UnaryOperator.identity());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no TLS", e);
        }
    }

    /**
     * Trusting what {@code trust} trusts, each URL sent where {@code route} says: for a test's local
     * server standing in for SNS. The caller's URL rule still sees the URL as given.
     */
    public static HttpsFetcher trusting(SSLContext trust, UnaryOperator<URI> route) {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(Objects.requireNonNull(trust, "trust"))
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return new HttpsFetcher(client, Objects.requireNonNull(route, "route"));
    }

    /**
     * @return the body of a 200 answer, at most {@code maxBytes}
     * @throws IOException when the server cannot be reached, answers anything but 200, sends more
     *         than {@code maxBytes}, or has not sent it all within {@value #REQUEST_SECONDS} s
     */
    byte[] get(URI uri, int maxBytes) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(route.apply(uri)).timeout(REQUEST_TIMEOUT).GET().build();
        CompletableFuture<HttpResponse<byte[]>> answer = client.sendAsync(request,
                info -> info.statusCode() == 200 ? new Capped(maxBytes) : HttpResponse.BodySubscribers.<byte[]>replacing(null));
        try {
            HttpResponse<byte[]> response = answer.get(REQUEST_SECONDS, TimeUnit.SECONDS);
            if (response.statusCode() != 200) {
                throw new IOException("answered " + response.statusCode());
            }
            return response.body();
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new IOException("no complete answer within " + REQUEST_SECONDS + " s", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Collects a body up to a cap, and gives up (closing the stream) as soon as it passes it. */
    private static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
        private final int maxBytes;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Capped(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > maxBytes) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("sent more than " + maxBytes + " bytes"));
                    return;
                }
                byte[] part = new byte[buffer.remaining()];
                buffer.get(part);
                bytes.write(part, 0, part.length);
            }
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }
}
