package dev.mailer.feedback.http;

import dev.mailer.error.DatabaseUnreachable;
import dev.mailer.feedback.webhooks.Webhook;
import dev.mailer.feedback.webhooks.WebhookAnswer;
import dev.mailer.feedback.webhooks.WebhookRequest;
import dev.mailer.feedback.webhooks.Webhooks;
import dev.mailer.i18n.BuiltInLanguage;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each request to its endpoint and turns every outcome into a complete response with the
 * same protective headers: the pages carry personal tokens in their URLs, so nothing may be
 * cached, framed, sniffed or leaked through a Referer. Failures become plain pages; the log
 * gets the failure's kind and place, never its message (database errors quote values). While the
 * database does not answer, every request that needs it gets 503 with Retry-After, never a 200
 * for something not recorded; the pool reconnects by itself once the database is back.
 */
final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    /** Every response carries them, errors included. */
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Cache-Control", "no-store",
            "Referrer-Policy", "no-referrer",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Content-Security-Policy", Pages.CONTENT_SECURITY_POLICY);

    private final UnsubscribeEndpoint unsubscribe;
    private final ConfirmEndpoint confirm;
    private final SubscribeEndpoint subscribe;
    private final PreferencesEndpoint preferences;
    private final BooleanSupplier databaseAnswers;
    private final Pages pages;
    private final Webhooks webhooks;

    Router(UnsubscribeEndpoint unsubscribe, ConfirmEndpoint confirm, SubscribeEndpoint subscribe,
           PreferencesEndpoint preferences, BooleanSupplier databaseAnswers, Pages pages, Webhooks webhooks) {
        this.preferences = preferences;
        this.unsubscribe = unsubscribe;
        this.confirm = confirm;
        this.subscribe = subscribe;
        this.databaseAnswers = databaseAnswers;
        this.pages = pages;
        this.webhooks = webhooks;
    }

    /** The complete answer to a complete request; never throws. */
    Response respond(Call call) {
        try {
            return route(call);
        } catch (DatabaseUnreachable e) {
            LOG.warn("{} {}: the database does not answer; answered 503", call.method(), call.routeName());
            return problem(503, "unavailable", call).withHeader("Retry-After", "30");
        } catch (RuntimeException e) {
            LOG.error("{} {} failed: {}", call.method(), call.routeName(), describe(e));
            return problem(500, "error", call);
        }
    }

    /** A body larger than the cap: never read to its end, so the connection closes with the answer. */
    Response tooLarge(Call call) {
        return problem(413, "toolarge", call).withHeader("Connection", "close");
    }

    /** A client that did not send its whole request in time. */
    Response tooSlow(Call call) {
        return problem(408, "error", call).withHeader("Connection", "close");
    }

    private Response route(Call call) {
        String path = call.path();
        String method = call.method();
        if (path.equals("/healthz")) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                return notAllowed(call, "GET, HEAD");
            }
            return databaseAnswers.getAsBoolean() ? Response.text(200, "ok\n")
                    : Response.text(503, "the database does not answer\n").withHeader("Retry-After", "30");
        }
        if (path.equals("/subscribe")) {
            return method.equals("POST") ? subscribe.post(call) : notAllowed(call, "POST");
        }
        if (path.startsWith(Webhooks.PATH)) {
            return webhook(call);
        }
        boolean unsubscribeLink = path.startsWith("/u/");
        boolean confirmLink = path.startsWith("/c/");
        boolean preferencesLink = path.startsWith("/p/");
        if (!unsubscribeLink && !confirmLink && !preferencesLink || path.indexOf('/', 3) >= 0 || path.length() == 3) {
            return problem(404, "notfound", call);
        }
        String token = path.substring(3);
        return switch (method) {
            // HEAD is answered as GET, without the body (RFC 9110 9.3.2)
            case "GET", "HEAD" -> unsubscribeLink ? unsubscribe.get(token, call)
                    : confirmLink ? confirm.get(token, call) : preferences.get(token, call);
            case "POST" -> unsubscribeLink ? unsubscribe.post(token, call)
                    : confirmLink ? confirm.post(token, call) : preferences.post(token, call);
            default -> notAllowed(call, "GET, HEAD, POST");
        };
    }

    /** Whether this path is a webhook that is on, whose bodies may be larger than a form's. */
    boolean takesLargeBodies(String path) {
        return path.startsWith(Webhooks.PATH) && webhooks.find(path.substring(Webhooks.PATH.length())).isPresent();
    }

    /** {@code /webhooks/NAME}: 404 unless that provider is on; its answer, as plain text. */
    private Response webhook(Call call) {
        Optional<Webhook> webhook = webhooks.find(call.path().substring(Webhooks.PATH.length()));
        if (webhook.isEmpty()) {
            return problem(404, "notfound", call);
        }
        if (!call.method().equals("POST")) {
            return notAllowed(call, "POST");
        }
        WebhookAnswer answer = webhook.get().handle(new WebhookRequest(call.headers(), call.body()));
        Response response = Response.text(answer.status(), answer.text());
        for (Map.Entry<String, String> header : answer.headers().entrySet()) {
            response = response.withHeader(header.getKey(), header.getValue());
        }
        return response;
    }

    /** The page for a link that is not one of ours: tampered, truncated, of another kind. */
    static Response badLink(Pages pages, Call call) {
        return Response.html(400, pages.problem(browserLanguage(call), "bad"));
    }

    /** Where no contact says otherwise, the browser's preferred language. */
    static BuiltInLanguage browserLanguage(Call call) {
        return BuiltInLanguage.ofAcceptLanguage(call.header("Accept-Language"));
    }

    private Response problem(int status, String which, Call call) {
        return Response.html(status, pages.problem(browserLanguage(call), which));
    }

    private Response notAllowed(Call call, String allowed) {
        return problem(405, "method", call).withHeader("Allow", allowed);
    }

    /** The exception's kind and where it happened, with its causes, leaving out messages. */
    static String describe(Throwable failure) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = failure; t != null && out.length() < 2000; t = t.getCause() == t ? null : t.getCause()) {
            if (out.length() > 0) {
                out.append(" caused by ");
            }
            out.append(t.getClass().getName());
            StackTraceElement[] trace = t.getStackTrace();
            if (trace.length > 0) {
                out.append(" at ").append(trace[0]);
            }
        }
        return out.toString();
    }
}
