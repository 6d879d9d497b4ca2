package io.tributary.server.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.router.exception.HttpResponseExceptionMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where errors of the API become answers: every error under {@code /api/v1} and
 * {@code /flink} is an RFC 9457 {@code application/problem+json} body with {@code type}, {@code title},
 * {@code status}, {@code detail} and {@code instance} (the request's path). An unexpected exception is
 * logged once, with its stack trace, and answered 500 without it. Pages keep Javalin's own answers.
 */
public final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    public static final String CONTENT_TYPE = "application/problem+json";
    /** Where {@code type} points: the API's documentation, one anchor per status. */
    static final String TYPE_BASE = "https://tributary.io/docs/api#problem-";

    private Problems() {}

    /** Installs the exception handlers; call once from the service's Javalin configuration. */
    public static void install(JavalinConfig config) {
        config.http.prefer405over404 = true;
        config.routes.exception(Problem.class, (e, ctx) -> write(ctx, e.status(), e.title(), e.detail()));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (!isApi(ctx)) {
                HttpResponseExceptionMapper.INSTANCE.handle(e, ctx);
                return;
            }
            write(ctx, e.getStatus(), HttpStatus.forStatus(e.getStatus()).getMessage(), detail(e, ctx));
        });
        config.routes.exception(Exception.class, (e, ctx) -> {
            Optional<Client> client = clientError(e);
            if (client.isPresent()) {
                LOG.debug("request={} {} refused status={}: {}", ctx.method(), ctx.path(), client.get().status(), e.toString());
                if (!isApi(ctx)) {
                    ctx.status(client.get().status()).contentType("text/plain").result(client.get().detail());
                    return;
                }
                write(ctx, client.get().status(), HttpStatus.forStatus(client.get().status()).getMessage(),
                        client.get().detail());
                return;
            }
            LOG.error("request={} {} failed unexpectedly", ctx.method(), ctx.path(), e);
            if (!isApi(ctx)) {
                ctx.status(500).contentType("text/plain").result("Internal server error; the service's log says why");
                return;
            }
            write(ctx, 500, "Internal server error", "the service failed to answer " + ctx.method() + " " + ctx.path()
                    + "; its log has the cause (search for this path), and retrying may help");
        });
    }

    /** A request the client got wrong, found in an exception a handler let through. */
    record Client(int status, String detail) {}

    /**
     * The client's mistakes that surface as exceptions from reading the request rather than from a
     * handler's checks: a body that is not the JSON expected, a malformed multipart or form body (Jetty
     * says which status), a charset nobody knows. They are 4xx, never 500.
     */
    static Optional<Client> clientError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof tools.jackson.core.JacksonException j) {
                String why = j.getOriginalMessage() == null ? "" : ": " + j.getOriginalMessage().lines().findFirst()
                        .orElse("");
                return Optional.of(new Client(400, "the body is not the JSON this expects" + why));
            }
            if (t instanceof org.eclipse.jetty.http.HttpException h && h.getCode() >= 400 && h.getCode() < 500) {
                return Optional.of(new Client(h.getCode(), "the request could not be read: "
                        + (h.getReason() == null ? HttpStatus.forStatus(h.getCode()).getMessage() : h.getReason())));
            }
            if (t instanceof java.nio.charset.UnsupportedCharsetException
                    || t instanceof java.nio.charset.IllegalCharsetNameException) {
                return Optional.of(new Client(415, "the Content-Type names a charset this service does not know; send"
                        + " UTF-8"));
            }
        }
        return Optional.empty();
    }

    /** Whether the request is one of the API's: errors answer problem+json. */
    public static boolean isApi(Context ctx) {
        String path = ctx.path();
        return path.startsWith("/api/v1") || path.startsWith("/flink/");
    }

    private static String detail(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 401 -> nonBlank(e.getMessage(), "log in first: send \"Authorization: Bearer <api token>\" or the"
                    + " session cookie from POST /api/v1/login");
            case 403 -> nonBlank(e.getMessage(), "the caller lacks the permission this needs; ask a team admin");
            case 404 -> e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().startsWith("Endpoint ")
                    ? "no such resource: " + ctx.path() + "; GET /api/v1/openapi.json lists the API's paths"
                    : e.getMessage();
            case 405 -> ctx.method() + " is not allowed on " + ctx.path() + "; GET /api/v1/openapi.json lists the"
                    + " methods of each path";
            default -> nonBlank(e.getMessage(), HttpStatus.forStatus(e.getStatus()).getMessage());
        };
    }

    private static String nonBlank(String text, String otherwise) {
        return text == null || text.isBlank() || text.equals(HttpStatus.forStatus(401).getMessage())
                || text.equals(HttpStatus.forStatus(403).getMessage()) ? otherwise : text;
    }

    /** Writes one problem as the answer; also for handlers that answer a problem without throwing. */
    public static void write(Context ctx, int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + status);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", ctx.path());
        ctx.status(status).contentType(CONTENT_TYPE).result(io.tributary.server.Json.MAPPER.writeValueAsString(body));
    }
}
