package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.api.OpenApi;
import io.tributary.source.Credentials;
import io.tributary.store.AppEvent;
import io.tributary.store.AppOverride;
import io.tributary.store.AuditEvent;
import io.tributary.store.Deployment;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The REST API's reads over real HTTP against a running service: a repository of two teams whose apps
 * are suspended or on an external cluster that does not answer, so no Flink runs. Lists, pages,
 * filters, errors as problem+json, the OpenAPI document against the routes the service registers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiIT {
    @TempDir
    static Path temp;
    private ConfigRepo repo;
    private Service service;
    private Store store;
    private final HttpClient http = HttpClient.newHttpClient();
    private ServiceApi admin;

    @BeforeAll
    void start() throws Exception {
        repo = ConfigRepo.empty(temp.resolve("config"));
        repo.copy("repos/two-teams");
        repo.commit("two teams");
        service = Service.start(new ServiceConfig(repo.dir().toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofSeconds(2), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD));
        store = service.reconciler().store();
        admin = new ServiceApi(service.port());
        Await.until("every app has a status", Duration.ofMinutes(2), () -> {
            JsonNode list = json("/api/v1/applications");
            return list.path("total").asInt() == 4 && !list.toString().contains("\"status\":null");
        });
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
        repo.close();
    }

    // ---- applications

    @Test
    void applicationsArePagedWithTotalLimitAndOffset() {
        JsonNode first = json("/api/v1/applications?limit=3");
        assertThat(first.path("total").asInt()).isEqualTo(4);
        assertThat(first.path("limit").asInt()).isEqualTo(3);
        assertThat(first.path("offset").asInt()).isZero();
        assertThat(names(first)).containsExactly("logistics/tracking", "payments/orders", "payments/payouts");
        JsonNode second = json("/api/v1/applications?limit=3&offset=3");
        assertThat(names(second)).containsExactly("payments/refunds");
        assertThat(names(json("/api/v1/applications?offset=10"))).isEmpty();
        assertThat(json("/api/v1/applications").path("limit").asInt()).as("the default page").isEqualTo(50);
    }

    @Test
    void applicationsAreFilteredByTeamHealthSyncAndName() {
        assertThat(names(json("/api/v1/applications?team=payments")))
                .containsExactly("payments/orders", "payments/payouts", "payments/refunds");
        assertThat(names(json("/api/v1/applications?q=OUT"))).containsExactly("payments/payouts");
        // on a cluster that does not answer, health is what the service can tell (Unknown): filter by what it says
        JsonNode all = json("/api/v1/applications");
        for (String field : List.of("health", "sync")) {
            for (JsonNode app : all.path("items")) {
                String value = app.path("status").path(field).asString();
                List<String> expected = new ArrayList<>();
                all.path("items").forEach(i -> {
                    if (value.equals(i.path("status").path(field).asString())) {
                        expected.add(i.path("team").asString() + "/" + i.path("name").asString());
                    }
                });
                assertThat(names(json("/api/v1/applications?" + field + "=" + value))).as(field + "=" + value)
                        .isEqualTo(expected);
            }
        }
        assertThat(names(json("/api/v1/applications?health=Healthy"))).isEmpty();
        assertThat(json("/api/v1/applications?team=nobody").path("total").asInt()).isZero();
    }

    @Test
    void anAppsDetailHasItsHistoryAndItsOwnEventAndSavepointLists() {
        JsonNode detail = json("/api/v1/applications/payments/orders");
        assertThat(detail.path("application").path("desiredState").asString()).isEqualTo("suspended");
        assertThat(detail.path("application").path("cluster").asString()).isEqualTo("remote");
        store.recordSavepoint(new SavepointRecord(0, "payments/orders", "j1", "file:/sp/orders-1", "manual", 10L,
                Instant.parse("2026-01-01T00:00:00Z"), null, null));
        assertThat(json("/api/v1/applications/payments/orders/savepoints").path("items").get(0).path("path")
                .asString()).isEqualTo("file:/sp/orders-1");
        assertThat(json("/api/v1/applications/payments/orders/events").path("total").asInt()).isPositive();

        // a job started from a jar a Project built: the history names the jar, the page links to it
        String jar = "ab".repeat(32);
        store.recordDeployment(new Deployment(0, "payments/orders", "0123456789abcdef0123456789abcdef", "main@sha1:"
                + "1".repeat(40), "spec", null, Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T01:00:00Z"), "FINISHED", jar));
        assertThat(json("/api/v1/applications/payments/orders").path("deployments").path(0).path("jarSha256")
                .asString()).isEqualTo(jar);
        assertThat(admin.get("/apps/payments/orders").body()).contains("<th scope=\"col\">Jar</th>")
                .contains("<a href=\"/artifacts/" + jar + "\" title=\"sha256:" + jar + "\">");
    }

    @Test
    void aWriteToTheStoreShowsInTheNextRead() {
        assertThat(json("/api/v1/applications/logistics/tracking").path("application").path("override").isNull())
                .isTrue();
        store.saveOverride(new AppOverride("logistics/tracking", null, false, false, true, "carol", "maintenance window",
                null));
        try {
            JsonNode app = json("/api/v1/applications?team=logistics").path("items").get(0);
            assertThat(app.path("override").path("reason").asString()).isEqualTo("maintenance window");
            assertThat(json("/api/v1/applications/logistics/tracking").path("application").path("override")
                    .path("syncPaused").asBoolean()).isTrue();
        } finally {
            store.releaseOverride("logistics/tracking");
        }
    }

    // ---- the platform

    @Test
    void clustersSayWhetherTheyAnswer() {
        JsonNode clusters = json("/api/v1/clusters");
        assertThat(clusters.path("total").asInt()).isEqualTo(1);
        JsonNode remote = clusters.path("items").get(0);
        assertThat(remote.path("name").asString()).isEqualTo("remote");
        assertThat(remote.path("state").asString()).isEqualTo("unreachable");
        assertThat(remote.path("restUrl").asString()).isEqualTo("http://127.0.0.1:9");
        assertThat(remote.path("taskManagers").isNull()).isTrue();
    }

    @Test
    void flinkVersionsTeamsAndRevisionsAreListed() {
        JsonNode versions = json("/api/v1/flink-versions");
        assertThat(versions.path("items").get(0).path("name").asString()).isEqualTo("flink-1.20");
        assertThat(versions.path("items").get(0).path("isDefault").asBoolean()).isTrue();

        JsonNode payments = json("/api/v1/teams/payments");
        assertThat(payments.path("members").size()).isEqualTo(2);
        JsonNode bob = payments.path("members").get(1);
        assertThat(bob.path("user").asString()).isEqualTo("bob");
        assertThat(bob.path("role").asString()).isEqualTo("operator");
        assertThat(bob.path("permissions").toString()).contains("app:view", "app:stop").doesNotContain("token:manage");
        assertThat(json("/api/v1/teams").path("total").asInt()).isEqualTo(2);

        JsonNode revision = json("/api/v1/revisions").path("items").get(0);
        assertThat(revision.path("name").asString()).startsWith("main@sha1:");
        assertThat(revision.path("inForce").asBoolean()).isTrue();
        assertThat(revision.path("valid").asBoolean()).isTrue();
    }

    @Test
    void aSecretVariablesValueIsNeverAnswered() {
        JsonNode variables = json("/api/v1/variables");
        assertThat(variables.path("total").asInt()).isEqualTo(3);
        JsonNode secret = item(variables, "kafka_password");
        assertThat(secret.path("secret").asBoolean()).isTrue();
        assertThat(secret.path("value").isNull()).isTrue();
        assertThat(variables.toString()).doesNotContain("PAYMENTS_KAFKA_PASSWORD");
        assertThat(item(variables, "kafka_brokers").path("value").asString()).isEqualTo("kafka-1:9092");
        assertThat(json("/api/v1/variables?team=payments").path("total").asInt()).isEqualTo(2);
    }

    // ---- history across apps

    @Test
    void eventsAndSavepointsOfAllAppsAreFilteredAndPaged() {
        Instant at = Instant.parse("2030-01-01T00:00:00Z");
        store.event(new AppEvent(0, at, "logistics/tracking", "test", "warning", "late event", null));
        store.event(new AppEvent(0, at.plusSeconds(1), "payments/refunds", "test", "info", "later event", null));
        store.recordSavepoint(new SavepointRecord(0, "payments/refunds", "j2", "file:/sp/refunds-1", "savepoint", 1L,
                at, at.plusSeconds(5), null));

        JsonNode since = json("/api/v1/events?since=2030-01-01T00:00:00Z");
        assertThat(since.path("total").asInt()).isEqualTo(2);
        assertThat(since.path("items").get(0).path("message").asString()).isEqualTo("later event");
        assertThat(json("/api/v1/events?since=2030-01-01T00:00:00Z&team=logistics").path("total").asInt()).isEqualTo(1);
        assertThat(json("/api/v1/events?since=2030-01-01T00:00:00Z&app=payments/refunds").path("items").get(0)
                .path("message").asString()).isEqualTo("later event");
        JsonNode page = json("/api/v1/events?limit=1&offset=1");
        assertThat(page.path("items").size()).isEqualTo(1);
        assertThat(page.path("total").asInt()).isGreaterThan(2);

        JsonNode disposed = json("/api/v1/savepoints?app=payments/refunds");
        assertThat(disposed.path("items").get(0).path("disposedAt").asString()).isEqualTo("2030-01-01T00:00:05Z");
    }

    // ---- errors

    @Test
    void aBadParameterIsAProblemThatNamesIt() {
        assertProblem("/api/v1/applications?limit=0", 400, "limit");
        assertProblem("/api/v1/applications?limit=501", 400, "limit");
        assertProblem("/api/v1/applications?limit=ten", 400, "limit");
        assertProblem("/api/v1/applications?offset=-1", 400, "offset");
        JsonNode health = assertProblem("/api/v1/applications?health=Sick", 400, "health");
        assertThat(health.path("detail").asString()).contains("Healthy", "Degraded", "\"Sick\"");
        assertProblem("/api/v1/events?since=yesterday", 400, "since");
        assertProblem("/api/v1/events?app=payments", 400, "app");
        assertProblem("/api/v1/events?team=x%27%20OR%201=1--", 400, "team");
        assertProblem("/api/v1/applications?team=..%2F..%2Fetc", 400, "team");
    }

    @Test
    void pathTraversalAndUnknownPathsAreCleanProblems() {
        assertProblem("/api/v1/applications/payments/nope", 404, "payments/nope");
        assertProblem("/api/v1/applications/payments/..%2F..%2Fetc%2Fpasswd", 400, "name");
        assertProblem("/api/v1/applications/%2e%2e/orders", 400, "team");
        assertProblem("/api/v1/applications/PAYMENTS/orders", 400, "team");
        assertProblem("/api/v1/teams/%3Cscript%3E", 400, "team");
        assertProblem("/api/v1/no-such-thing", 404, "openapi.json");
        HttpResponse<String> delete = admin.delete("/api/v1/applications");
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void aBodyInACharsetTheServiceDoesNotKnowIsUnsupportedNotMalformed() {
        String path = "/api/v1/login";
        HttpResponse<String> unknown = admin.postWithoutLogin(path,
                Map.of("Content-Type", "application/json; charset=foo-bar"),
                "{\"user\": \"admin\", \"password\": \"x\"}".getBytes(StandardCharsets.UTF_8));
        assertProblem(unknown, path, 415, "UTF-8");
        HttpResponse<String> malformed = admin.postWithoutLogin(path, Map.of("Content-Type", "application/json"),
                "{\"user\":".getBytes(StandardCharsets.UTF_8));
        assertProblem(malformed, path, 400, "expected a JSON body");
    }

    @Test
    void theOverviewSaysAStatusFilterItDoesNotKnow() {
        String page = admin.get("/?status=Bogus").body();
        assertThat(page).contains("There is no status \"Bogus\" to filter by")
                .contains("The filters are Healthy, Progressing, Degraded, Unknown, Missing, Suspended, OutOfSync, Overridden.");
        assertThat(admin.get("/?status=Healthy").body()).doesNotContain("There is no status");
        HttpResponse<String> unfiltered = admin.get("/");
        assertThat(unfiltered.statusCode()).isEqualTo(200);
        assertThat(unfiltered.body()).doesNotContain("There is no status");
    }

    // ---- who sees what

    @Test
    void anAnonymousReadIsAnUnauthorizedProblem() {
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(uri("/api/v1/applications")).build());
        assertProblem(anonymous, "/api/v1/applications", 401, "log in");
        assertThat(send(HttpRequest.newBuilder(uri("/api/v1/openapi.json")).build()).statusCode()).isEqualTo(200);
    }

    @Test
    void aMemberSeesOnlyTheirTeamsAndOtherAppsDoNotExistForThem() {
        ServiceApi.Login carol = loginAs("carol");
        assertThat(names(json(as(carol, "/api/v1/applications"), "list"))).containsExactly("logistics/tracking");
        assertThat(json(as(carol, "/api/v1/applications?team=payments"), "list").path("total").asInt()).isZero();
        assertProblem(as(carol, "/api/v1/applications/payments/orders"), "detail", 404, "payments/orders");
        assertProblem(as(carol, "/api/v1/applications/payments/orders/savepoints"), "savepoints", 404,
                "payments/orders");
        assertThat(json(as(carol, "/api/v1/applications/logistics/tracking"), "detail").path("application")
                .path("name").asString()).isEqualTo("tracking");
        assertThat(json(as(carol, "/api/v1/teams"), "teams").path("items").findValuesAsString("name"))
                .containsExactly("logistics");
        assertProblem(as(carol, "/api/v1/teams/payments"), "team", 404, "payments");
        String teamsPage = as(carol, "/teams").body();
        assertThat(teamsPage).as("the page shows the teams the API does").contains("id=\"team-logistics\"")
                .doesNotContain("id=\"team-payments\"");
        assertThat(teamsPage).as("the bootstrap admin is listed, as a platform admin")
                .contains("<th scope=\"row\">admin</th><td>bootstrap admin (not in Git)</td><td></td><td>yes</td>");
        JsonNode events = json(as(carol, "/api/v1/events?limit=500"), "events");
        assertThat(events.path("items").findValuesAsString("app")).isNotEmpty().allMatch(a -> a.startsWith("logistics/"));
        assertThat(json(as(carol, "/api/v1/events?team=payments"), "events").path("total").asInt()).isZero();
        // a developer may view variables of logistics (none) and so the platform's
        assertThat(json(as(carol, "/api/v1/variables"), "variables").path("items").findValuesAsString("name"))
                .containsExactly("output_root");

        ServiceApi.Login bob = loginAs("bob");
        assertThat(names(json(as(bob, "/api/v1/applications"), "list")))
                .containsExactly("payments/orders", "payments/payouts", "payments/refunds");
        assertThat(json(as(bob, "/api/v1/variables"), "variables").path("total").asInt())
                .as("operator has no variable:view").isZero();
        assertThat(json(as(bob, "/api/v1/clusters"), "clusters").path("total").asInt()).isEqualTo(1);
    }

    @Test
    void theAuditTrailShowsEachCallerWhatTheirTeamsAllowAndTheirOwnActions() {
        store.audit(new AuditEvent(0, null, "admin", "stop", "application payments/orders", "audit check 1", null));
        store.audit(new AuditEvent(0, null, "admin", "stop", "application logistics/tracking", "audit check 2", null));
        assertThat(json("/api/v1/audit?app=payments/orders&actor=admin").path("items").findValuesAsString("reason"))
                .contains("audit check 1").doesNotContain("audit check 2");

        // carol, a developer of logistics (audit:view there): logistics' entries and her own, not payments'
        ServiceApi.Login carol = loginAs("carol");
        JsonNode carolsView = json(as(carol, "/api/v1/audit?limit=500"), "audit");
        assertThat(carolsView.path("items").findValuesAsString("reason")).contains("audit check 2")
                .doesNotContain("audit check 1");
        assertThat(carolsView.path("items").findValuesAsString("target")).contains("user carol")
                .allMatch(t -> !t.startsWith("application payments/"));
        // bob, an operator of payments without audit:view: only what he did himself
        ServiceApi.Login bob = loginAs("bob");
        HttpResponse<String> denied = send(HttpRequest.newBuilder(uri("/api/v1/applications/payments/orders/actions/restart"))
                .header("Cookie", bob.cookie()).header("X-CSRF-Token", bob.csrfToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"audit check 3\"}")).build());
        assertThat(denied.statusCode()).as("an operator lacks app:restart").isEqualTo(403);
        assertThat(json(as(bob, "/api/v1/audit?limit=500"), "audit").path("items").findValuesAsString("actor"))
                .isNotEmpty().containsOnly("bob");
        assertThat(as(bob, "/apps/payments/orders").body()).as("the app page shows him his own entries too")
                .contains("denied restart").contains("audit check 3").doesNotContain("audit check 1");
        assertThat(admin.get("/audit").body()).as("the Audit page has the details").contains("<th scope=\"col\">Details</th>")
                .contains("lacks app:restart");
        assertThat(admin.get("/audit?actor=bob").body()).as("the Audit page filters as the API does")
                .contains("audit check 3").doesNotContain("audit check 1");
        assertThat(admin.get("/audit?app=payments%2Forders&actor=nobody").body()).contains("Nothing audited matches");
        assertThat(admin.get("/audit?app=not-an-app").statusCode()).isEqualTo(400);
        assertProblem("/api/v1/audit?actor=x%27%20OR%201=1--", 400, "actor");
        assertProblem("/api/v1/audit?since=yesterday", 400, "since");
    }

    private ServiceApi.Login loginAs(String user) {
        HttpResponse<String> link = admin.post("/api/v1/users/" + user + "/password-link", "");
        assertThat(link.statusCode()).as(link.body()).isEqualTo(201);
        String password = user + "-password-of-the-tests";
        HttpResponse<String> set = send(HttpRequest.newBuilder(uri(ServiceApi.JSON.readTree(link.body()).path("path")
                .asString())).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        ServiceApi.JSON.createObjectNode().put("password", password).toString())).build());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        return admin.login(user, password);
    }

    private HttpResponse<String> as(ServiceApi.Login login, String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Cookie", login.cookie()).build());
    }

    // ---- the document

    @Test
    void everyRouteUnderApiAndFlinkIsInTheOpenApiDocument() {
        Map<String, Set<String>> documented = OpenApi.load().operations();
        List<String> missing = new ArrayList<>();
        for (String route : service.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            if ((path.startsWith("/api/v1") || path.startsWith("/flink"))
                    && !documented.getOrDefault(path, Set.of()).contains(method)) {
                missing.add(route);
            }
        }
        assertThat(missing).as("routes missing from openapi.json").isEmpty();
        JsonNode served = json("/api/v1/openapi.json");
        assertThat(served.path("openapi").asString()).startsWith("3.1");
        assertThat(served.path("paths").has("/api/v1/applications")).isTrue();
    }

    @Test
    void theDocsPageRendersTheDocumentWithSwaggerUi() {
        HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/api/docs")).build());
        assertThat(page.statusCode()).isEqualTo(200);
        String script = page.body().replaceAll("(?s).*<script src=\"(/webjars/[^\"]+)\".*", "$1");
        assertThat(script).startsWith("/webjars/swagger-ui/").endsWith("/swagger-ui-bundle.js");
        HttpResponse<String> bundle = send(HttpRequest.newBuilder(uri(script)).build());
        assertThat(bundle.statusCode()).isEqualTo(200);
        assertThat(bundle.body()).contains("SwaggerUIBundle");
        assertThat(send(HttpRequest.newBuilder(uri("/api/docs/init.js")).build()).body())
                .contains("/api/v1/openapi.json");
    }

    // ----

    private JsonNode assertProblem(String path, int status, String named) {
        return assertProblem(admin.get(path), path, status, named);
    }

    private static JsonNode assertProblem(HttpResponse<String> response, String path, int status, String named) {
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = ServiceApi.JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asString()).isNotBlank();
        assertThat(problem.path("type").asString()).isNotBlank();
        assertThat(problem.path("instance").asString()).startsWith("/api/v1/");
        assertThat(problem.path("detail").asString()).contains(named);
        assertThat(response.body()).doesNotContain("Exception", "\tat ");
        return problem;
    }

    private JsonNode json(String path) {
        return json(admin.get(path), path);
    }

    private static JsonNode json(HttpResponse<String> response, String path) {
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return ServiceApi.JSON.readTree(response.body());
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.path("items").forEach(i -> names.add(i.path("team").asString() + "/" + i.path("name").asString()));
        return names;
    }

    private static JsonNode item(JsonNode page, String name) {
        for (JsonNode i : page.path("items")) {
            if (name.equals(i.path("name").asString())) {
                return i;
            }
        }
        throw new AssertionError("no item " + name + " in " + page);
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + service.port() + path);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
