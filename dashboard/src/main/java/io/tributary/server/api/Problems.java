package io.tributary.server.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.router.exception.HttpResponseExceptionMapper;
import java.util.LinkedHashMap;
import java.util.Map;
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
            LOG.error("request={} {} failed unexpectedly", ctx.method(), ctx.path(), e);
            if (!isApi(ctx)) {
                ctx.status(500).contentType("text/plain").result("Internal server error; the service's log says why");
                return;
            }
            write(ctx, 500, "Internal server error", "the service failed to answer " + ctx.method() + " " + ctx.path()
                    + "; its log has the cause (search for this path), and retrying may help");
        });
    }

    /** Whether the request is one of the API's: errors answer problem+json. */
    static boolean isApi(Context ctx) {
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
