package io.tributary.server.webhooks;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.server.api.Problems;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/webhooks/{provider}}: a verified push to the followed branch makes the service
 * fetch now (202); any other verified delivery changes nothing (204); a delivery that cannot prove it
 * knows the secret is refused (401). No user login: the signature is the authentication. See
 * docs/webhooks.md.
 */
public final class WebhookHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);
    /** Larger than any push the providers send (GitHub caps payloads at 25 MB). */
    static final int MAX_BODY = 25 * 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What happened to a delivery: the {@code outcome} tag of {@code tributary_webhook_deliveries_total}. */
    enum Outcome {
        ACCEPTED, IGNORED, UNAUTHORIZED, DISABLED, BAD_REQUEST, UNKNOWN_PROVIDER;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Optional<WebhookSecret> secret;
    private final Supplier<Optional<String>> watchedRef;
    private final Runnable fetchNow;
    private final java.util.function.BiFunction<List<String>, Predicate<String>, Integer> projectPush;
    private final MeterRegistry meters;

    /**
     * @param secret the shared secret; without one every delivery is answered 404 with how to set one
     * @param watchedRef the branch (or tag) the service follows, short or full name; empty while unknown
     *     (the remote's default branch before the first fetch), when any push triggers a fetch
     * @param fetchNow what a push to the followed branch does: {@code Reconciler::triggerSync}
     * @param projectPush given the URLs a push names its repository by and which refs it moved, fetches the
     *     Projects built from that repository whose ref moved (and builds them), and says how many there are
     */
    public WebhookHandler(Optional<WebhookSecret> secret, Supplier<Optional<String>> watchedRef, Runnable fetchNow,
            java.util.function.BiFunction<List<String>, Predicate<String>, Integer> projectPush, MeterRegistry meters) {
        this.projectPush = projectPush;
        this.secret = secret;
        this.watchedRef = watchedRef;
        this.fetchNow = fetchNow;
        this.meters = meters;
    }

    public void handle(Context ctx) {
        String name = ctx.pathParam("provider");
        Optional<Provider> provider = Provider.of(name);
        if (provider.isEmpty()) {
            count("unknown", Outcome.UNKNOWN_PROVIDER);
            problem(ctx, HttpStatus.NOT_FOUND, "Unknown webhook provider", "no webhook provider \"" + name
                    + "\"; the webhook URL ends with one of: " + Provider.ids());
            return;
        }
        Provider p = provider.get();
        if (secret.isEmpty()) {
            count(p.id(), Outcome.DISABLED);
            LOG.warn("webhook provider={} remote={} rejected reason=\"no webhook secret configured\"", p.id(),
                    remote(ctx));
            problem(ctx, HttpStatus.NOT_FOUND, "Webhooks are not enabled", "this service has no webhook secret, so it"
                    + " cannot verify deliveries; start it with --webhook-secret-file PATH (or the environment variable"
                    + " TRIBUTARY_WEBHOOK_SECRET) and set the same secret in the webhook's settings (docs/webhooks.md)");
            return;
        }
        byte[] body = body(ctx);
        if (body.length > MAX_BODY) {
            count(p.id(), Outcome.BAD_REQUEST);
            problem(ctx, HttpStatus.CONTENT_TOO_LARGE, "Delivery too large", "the body is larger than "
                    + MAX_BODY / (1024 * 1024) + " MiB");
            return;
        }
        Optional<String> refused = Signatures.verify(p, ctx::header, body, secret.get());
        if (refused.isPresent()) {
            count(p.id(), Outcome.UNAUTHORIZED);
            LOG.warn("webhook provider={} remote={} rejected reason=\"{}\"", p.id(), remote(ctx), refused.get());
            problem(ctx, HttpStatus.UNAUTHORIZED, "Signature check failed", refused.get());
            return;
        }
        PushEvent event;
        try {
            event = PushEvent.parse(p, ctx.header(p.eventHeader()), body);
        } catch (IllegalArgumentException e) {
            count(p.id(), Outcome.BAD_REQUEST);
            LOG.warn("webhook provider={} remote={} rejected reason=\"{}\"", p.id(), remote(ctx), e.getMessage());
            problem(ctx, HttpStatus.BAD_REQUEST, "Unreadable delivery", e.getMessage() + "; send the provider's push"
                    + " payload as JSON (Content type application/json)");
            return;
        }
        int projects = event.push()
                ? projectPush.apply(PushEvent.repositoryUrls(body), ref -> event.moves(Optional.of(ref))) : 0;
        if (projects > 0) {
            LOG.info("webhook provider={} event=\"{}\" refs={} projects={}: fetching them now", p.id(), event.type(),
                    event.refs(), projects);
        }
        Optional<String> watched = watchedRef.get();
        boolean config = event.moves(watched);
        if (config || projects > 0) {
            if (config) {
                fetchNow.run();
            }
            count(p.id(), Outcome.ACCEPTED);
            LOG.info("webhook provider={} event=\"{}\" refs={} accepted: fetching now", p.id(), event.type(),
                    event.refs());
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("triggered", true);
            answer.put("provider", p.id());
            answer.put("event", event.type());
            answer.put("refs", event.refs());
            if (projects > 0) {
                answer.put("projects", projects);
            }
            ctx.status(HttpStatus.ACCEPTED).contentType("application/json").result(JSON.writeValueAsString(answer));
            return;
        }
        count(p.id(), Outcome.IGNORED);
        LOG.info("webhook provider={} event=\"{}\" refs={} ignored: {}", p.id(), event.type(), event.refs(),
                event.push() ? "not the followed ref " + watched.orElse("?") : "not a push");
        ctx.status(HttpStatus.NO_CONTENT);
    }

    /** The peer's address, and what a proxy in front says it forwarded for (unverified, so both are logged). */
    private static String remote(Context ctx) {
        String forwarded = ctx.header("X-Forwarded-For");
        return forwarded == null ? ctx.ip() : ctx.ip() + " forwardedFor=\"" + forwarded + "\"";
    }

    private static byte[] body(Context ctx) {
        try (InputStream in = ctx.bodyInputStream()) {
            return in.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the webhook delivery", e);
        }
    }

    private void count(String provider, Outcome outcome) {
        Counter.builder("tributary.webhook.deliveries")
                .description("Webhook deliveries by provider and what was done with them")
                .tag("provider", provider).tag("outcome", outcome.tag())
                .register(meters).increment();
    }

    /** An RFC 9457 problem like every other of the API: what is wrong and how to fix it. */
    private static void problem(Context ctx, HttpStatus status, String title, String detail) {
        Problems.write(ctx, status.getCode(), title, detail);
    }
}
