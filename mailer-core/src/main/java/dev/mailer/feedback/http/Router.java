package dev.mailer.feedback.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.mailer.error.DatabaseUnreachable;
import dev.mailer.i18n.BuiltInLanguage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
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
final class Router implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Cache-Control", "no-store",
            "Referrer-Policy", "no-referrer",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Content-Security-Policy", Pages.CONTENT_SECURITY_POLICY);

    private final UnsubscribeEndpoint unsubscribe;
    private final ConfirmEndpoint confirm;
    private final BooleanSupplier databaseAnswers;
    private final Pages pages;
    private final int maxBodyBytes;

    Router(UnsubscribeEndpoint unsubscribe, ConfirmEndpoint confirm, BooleanSupplier databaseAnswers, Pages pages,
           int maxBodyBytes) {
        this.unsubscribe = unsubscribe;
        this.confirm = confirm;
        this.databaseAnswers = databaseAnswers;
        this.pages = pages;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            Response response;
            try {
                response = route(exchange);
            } catch (RequestBody.TooLarge e) {
                // the rest of the body is never read: the connection ends with this answer
                response = problem(413, "toolarge", exchange).withHeader("Connection", "close");
            } catch (IOException e) {
                return; // the client went away while sending: nobody to answer
            } catch (DatabaseUnreachable e) {
                LOG.warn("{} {}: the database does not answer; answered 503", exchange.getRequestMethod(),
                        routeName(exchange));
                response = problem(503, "unavailable", exchange).withHeader("Retry-After", "30");
            } catch (RuntimeException e) {
                LOG.error("{} {} failed: {}", exchange.getRequestMethod(), routeName(exchange), describe(e));
                response = problem(500, "error", exchange);
            }
            send(exchange, response);
        } catch (IOException e) {
            // the client went away while we answered: the work is done, there is nobody to tell
        }
    }

    private Response route(HttpExchange exchange) throws IOException, RequestBody.TooLarge {
        // read first, whatever the route: a body read to its end keeps the connection reusable
        byte[] body = RequestBody.read(exchange, maxBodyBytes);
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        if (path.equals("/healthz")) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                return notAllowed(exchange, "GET, HEAD");
            }
            return databaseAnswers.getAsBoolean() ? Response.text(200, "ok\n")
                    : Response.text(503, "the database does not answer\n").withHeader("Retry-After", "30");
        }
        boolean unsubscribeLink = path.startsWith("/u/");
        boolean confirmLink = path.startsWith("/c/");
        if (!unsubscribeLink && !confirmLink || path.indexOf('/', 3) >= 0 || path.length() == 3) {
            return problem(404, "notfound", exchange);
        }
        String token = path.substring(3);
        return switch (method) {
            case "GET" -> unsubscribeLink ? unsubscribe.get(token, exchange) : confirm.get(token, exchange);
            case "POST" -> unsubscribeLink ? unsubscribe.post(token, body, exchange) : confirm.post(token, exchange);
            default -> notAllowed(exchange, "GET, POST");
        };
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        SECURITY_HEADERS.forEach(headers::set);
        headers.set("Content-Type", response.contentType());
        response.headers().forEach(headers::set);
        // a HEAD answer has no body; the JDK server refuses one
        boolean noBody = response.body().length == 0 || exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(response.status(), noBody ? -1 : response.body().length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
    }

    /** The page for a link that is not one of ours: tampered, truncated, of another kind. */
    static Response badLink(Pages pages, HttpExchange exchange) {
        return Response.html(400, pages.problem(browserLanguage(exchange), "bad"));
    }

    /** Where no contact says otherwise, the browser's preferred language. */
    static BuiltInLanguage browserLanguage(HttpExchange exchange) {
        return BuiltInLanguage.ofAcceptLanguage(exchange.getRequestHeaders().getFirst("Accept-Language"));
    }

    private Response problem(int status, String which, HttpExchange exchange) {
        return Response.html(status, pages.problem(browserLanguage(exchange), which));
    }

    private Response notAllowed(HttpExchange exchange, String allowed) {
        return problem(405, "method", exchange).withHeader("Allow", allowed);
    }

    /** The route without its token: a token names a person. */
    private static String routeName(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        return path.startsWith("/u/") ? "/u/…" : path.startsWith("/c/") ? "/c/…" : "(other)";
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
