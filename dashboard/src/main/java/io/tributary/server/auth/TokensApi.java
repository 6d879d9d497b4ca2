package io.tributary.server.auth;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import io.tributary.model.DesiredState;
import io.tributary.model.Permission;
import io.tributary.model.Team;
import io.tributary.server.Json;
import io.tributary.server.api.PageView;
import io.tributary.server.api.Params;
import io.tributary.store.AuditEvent;
import io.tributary.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /api/v1/tokens}: everyone manages their own API tokens; platform admins see and revoke
 * everyone's, and holders of {@code token:manage} in a team those of that team's members.
 */
public final class TokensApi {
    private final ApiTokens tokens;
    private final Store store;
    private final Clock clock;
    private final Supplier<Optional<DesiredState>> desired;

    public TokensApi(ApiTokens tokens, Store store, Clock clock, Supplier<Optional<DesiredState>> desired) {
        this.tokens = tokens;
        this.store = store;
        this.clock = clock;
        this.desired = desired;
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/tokens", this::list);
        routes.post("/api/v1/tokens", this::create);
        routes.delete("/api/v1/tokens/{id}", this::revoke);
    }

    record CreateRequest(String name, Instant expiresAt) {}

    private void list(Context ctx) {
        Params.Paging paging = Params.paging(ctx);
        List<ApiTokens.Token> visible = visibleTo(Access.require(ctx));
        ctx.json(new PageView<>(paging.slice(visible), visible.size(), paging.limit(), paging.offset()));
    }

    private void create(Context ctx) {
        Caller caller = Access.require(ctx);
        String expected = "expected {\"name\": \"...\", \"expiresAt\": \"2027-01-01T00:00:00Z\"} (expiresAt optional, ISO-8601)";
        CreateRequest request = Json.body(ctx, CreateRequest.class, expected);
        if (request == null) {
            throw new BadRequestResponse(expected);
        }
        ApiTokens.Created created;
        try {
            created = create(caller, request.name(), request.expiresAt());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new BadRequestResponse(e.getMessage());
        }
        ctx.status(201).json(Map.of("token", created.token(), "secret", created.secret(),
                "note", "the secret is shown only now; store it safely"));
    }

    private void revoke(Context ctx) {
        Caller caller = Access.require(ctx);
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new BadRequestResponse("a token id is a number, not \"" + ctx.pathParam("id") + "\"");
        }
        revoke(caller, id).orElseThrow(() -> new NotFoundResponse("no token " + id));
        ctx.status(204);
    }

    /** The tokens the caller may see and revoke, for the API and the tokens page alike. */
    public List<ApiTokens.Token> visibleTo(Caller caller) {
        return caller.mayInSomeTeam(Permission.TOKEN_MANAGE)
                ? tokens.listAll().stream().filter(t -> manages(caller, t.user())).toList()
                : tokens.list(caller.user());
    }

    /** A new token of the caller's, audited; its secret is in the answer only. */
    public ApiTokens.Created create(Caller caller, String name, Instant expiresAt) {
        ApiTokens.Created created = tokens.create(caller.user(), name, expiresAt);
        audit(caller, "create-token", created.token());
        return created;
    }

    /**
     * Revokes the token if the caller manages it; empty if there is no such token.
     *
     * @throws ForbiddenResponse (audited) when the token is someone else's whom the caller does not manage
     */
    public Optional<ApiTokens.Token> revoke(Caller caller, long id) {
        Optional<ApiTokens.Token> token = tokens.byId(id);
        if (token.isEmpty()) {
            return token;
        }
        if (!manages(caller, token.get().user())) {
            audit(caller, "denied revoke-token", token.get());
            throw new ForbiddenResponse(caller.user() + " may revoke only their own tokens; token:manage in a team "
                    + "lets its holder revoke those of the team's members");
        }
        tokens.revoke(id);
        audit(caller, "revoke-token", token.get());
        return token;
    }

    private boolean manages(Caller caller, String owner) {
        if (owner.equals(caller.user()) || caller.platformAdmin()) {
            return true;
        }
        return desired.get().map(d -> d.all(Team.class).stream()
                .filter(team -> caller.may(Permission.TOKEN_MANAGE, team.metadata().name()))
                .anyMatch(team -> team.spec().members().stream().anyMatch(m -> m.user().equals(owner))))
                .orElse(false);
    }

    private void audit(Caller caller, String action, ApiTokens.Token token) {
        store.audit(new AuditEvent(0, clock.instant(), caller.user(), action,
                "token " + token.prefix() + "… (" + token.name() + ") of " + token.user(), null, null));
    }
}
