package dev.mailer.feedback.http;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Between Jetty and the {@link Router}: reads the whole request without holding a thread for a
 * slow client (a body as it arrives, within {@link FeedbackServer#MAX_REQUEST_SECONDS} from the
 * end of its headers), refuses a body over the cap before reading it, hands the complete request
 * to the router, writes the complete answer with the protective headers, and logs one line per
 * request without tokens or addresses.
 */
final class RequestHandler extends Handler.Abstract {
    private final Router router;
    private final ToIntFunction<String> maxBodyBytes;
    private final Scheduler scheduler;
    private final Consumer<String> accessLog;

    /** @param maxBodyBytes the body cap for a request to this path */
    RequestHandler(Router router, ToIntFunction<String> maxBodyBytes, Scheduler scheduler, Consumer<String> accessLog) {
        this.router = router;
        this.maxBodyBytes = maxBodyBytes;
        this.scheduler = scheduler;
        this.accessLog = accessLog;
    }

    @Override
    public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        long started = System.nanoTime();
        Map<String, String> headers = new HashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.putIfAbsent(field.getName().toLowerCase(Locale.ROOT), field.getValue());
        }
        String path = request.getHttpURI().getPath();
        Call head = new Call(request.getMethod(), path == null ? "/" : path, Map.copyOf(headers), new byte[0],
                Request.getRemoteAddr(request));
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        int maxBodyBytes = this.maxBodyBytes.applyAsInt(head.path());
        if (declared > maxBodyBytes) {
            write(head, router.tooLarge(head), response, callback, started);
            return true;
        }
        AtomicBoolean answered = new AtomicBoolean();
        Scheduler.Task deadline = scheduler.schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                write(head, router.tooSlow(head), response, callback, started);
            }
        }, remainingMillis(request), TimeUnit.MILLISECONDS);
        RequestBody.read(request, maxBodyBytes, new Promise<>() {
            @Override
            public void succeeded(byte[] body) {
                deadline.cancel();
                if (answered.compareAndSet(false, true)) {
                    Call call = new Call(head.method(), head.path(), head.headers(), body, head.remoteIp());
                    write(call, router.respond(call), response, callback, started);
                }
            }

            @Override
            public void failed(Throwable failure) {
                deadline.cancel();
                if (!answered.compareAndSet(false, true)) {
                    return;
                }
                if (failure instanceof RequestBody.TooLarge) {
                    write(head, router.tooLarge(head), response, callback, started);
                } else {
                    callback.failed(failure); // the client went away while sending: nobody to answer
                }
            }
        });
        return true;
    }

    /** The request's time counts from its headers' arrival, so a slow body cannot stretch it. */
    private static long remainingMillis(Request request) {
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.getHeadersNanoTime());
        return Math.max(1, TimeUnit.SECONDS.toMillis(FeedbackServer.MAX_REQUEST_SECONDS) - elapsed);
    }

    private void write(Call call, dev.mailer.feedback.http.Response answer, Response response, Callback callback,
                       long started) {
        response.setStatus(answer.status());
        Router.SECURITY_HEADERS.forEach((name, value) -> response.getHeaders().put(name, value));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
        // Jetty sends no body to a HEAD request, only its length
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
        accessLog.accept(call.method() + " " + call.routeName() + " " + answer.status() + " "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
    }
}
