package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.webhooks.WebhookSecret;
import io.tributary.source.Credentials;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route the service registers, fuzzed over real HTTP: path parameters, query parameters and
 * bodies that are malformed, of the wrong type, huge, deeply nested or not UTF-8, as the admin (so
 * requests get past authentication into the handlers), anonymously, and as signed webhook deliveries.
 * No answer may be a 5xx, and the service answers normally afterwards. The inputs come from a fixed
 * seed, so a failure is reproduced by running the test again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiFuzzIT {
    private static final long SEED = 20261126L;
    private static final String WEBHOOK_SECRET = "fuzz-webhook-secret";
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    @TempDir
    static Path temp;
    private ConfigRepo repo;
    private Service service;
    private URI base;
    private ServiceApi.Login login;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Random random = new Random(SEED);
    /** Every answer at or above 500: {@code METHOD path -> status body}. */
    private final List<String> failures = new ArrayList<>();
    private int sent;

    @BeforeAll
    void start() throws Exception {
        repo = ConfigRepo.empty(temp.resolve("config"));
        repo.copy("repos/two-teams");
        repo.commit("two teams");
        service = Service.start(new ServiceConfig(repo.dir().toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofSeconds(2), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD,
                WebhookSecret.of(WEBHOOK_SECRET, "test")));
        base = URI.create("http://localhost:" + service.port());
        Await.until("the first revision is loaded", Duration.ofMinutes(2),
                () -> service.reconciler().current().isPresent());
        login = new ServiceApi(service.port()).login("admin", ServiceApi.ADMIN_PASSWORD);
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
        if (repo != null) {
            repo.close();
        }
    }

    @Test
    void noInputMakesAnyRouteAnswer5xxAndTheServiceStaysUp() {
        List<String> routes = service.routes();
        assertThat(routes).hasSizeGreaterThan(20);
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String template = route.substring(route.indexOf(' ') + 1);
            if (template.equals("/api/v1/logout") || template.equals("/logout")) {
                continue; // would end the fuzzer's own session; covered by AuthIT
            }
            List<String> paths = paths(template);
            // the route as a client means it, with every odd query and body
            String real = paths.get(0);
            for (String query : QUERIES) {
                send(method, real + query, "application/json", new byte[0], true);
            }
            if (!method.equals("GET")) {
                for (Body body : bodies(1536 * 1024)) { // over the 1 MiB a JSON body may have
                    send(method, real, body.contentType(), body.bytes(), true);
                }
            }
            // odd path parameters, with a few small bodies each, and anonymously
            List<Body> small = bodies(0).stream().filter(b -> b.bytes().length < 10_000).toList();
            for (String path : paths.subList(1, paths.size())) {
                send(method, path, "application/json", new byte[0], true);
                if (!method.equals("GET")) {
                    for (int i = 0; i < 2; i++) {
                        Body body = small.get(random.nextInt(small.size()));
                        send(method, path, body.contentType(), body.bytes(), true);
                    }
                }
                send(method, path, "application/json", "{}".getBytes(StandardCharsets.UTF_8), false);
            }
        }
        for (String provider : List.of("github", "gitlab", "gitea", "bitbucket", "generic", "nope")) {
            // one delivery over the 25 MiB a webhook may have, on two providers
            boolean huge = provider.equals("github") || provider.equals("generic");
            for (Body body : bodies(huge ? 26 * 1024 * 1024 : 0)) {
                webhook(provider, body.bytes());
            }
        }

        assertThat(failures).as("5xx answers among %d requests", sent).isEmpty();
        HttpResponse<String> health = request("GET", "/healthz", "text/plain", new byte[0], false);
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> list = request("GET", "/api/v1/applications", "application/json", new byte[0], true);
        assertThat(list.statusCode()).as("the API after the fuzzing: %s", list.body()).isEqualTo(200);
        assertThat(list.body()).contains("payments");
    }

    // ---- inputs

    private static final List<String> PARAM_VALUES = List.of("nobody", "%2e%2e%2f", "%00%FF%FE", "-1",
            "99999999999999999999999", "NaN", "%27%3B%20DROP%20TABLE%20apps%3B--", "%3Cscript%3E", "x".repeat(3000),
            "%7Bname%7D");

    private static final List<String> QUERIES = List.of("", "?limit=-1", "?limit=abc", "?limit=0&offset=-5",
            "?limit=99999999999999999999&offset=1e9", "?offset=NaN", "?health=Nope&sync=%00", "?team=%FF&q=" + "q".repeat(5000),
            "?q=%25%25%25", "?limit=1&limit=2&limit=x", "?since=yesterday&before=-1", "?page=%5B%5D", "?=&&=&x",
            "?format=%0d%0aX-Injected:%20yes");

    /** The route with each parameter replaced: a real value first, then the odd ones. */
    private List<String> paths(String template) {
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        if (names.isEmpty()) {
            return List.of(template);
        }
        List<String> out = new ArrayList<>();
        Map<String, String> real = new LinkedHashMap<>();
        real.put("team", "payments");
        real.put("name", "orders");
        real.put("action", "stop");
        real.put("provider", "generic");
        out.add(fill(template, name -> real.getOrDefault(name, "1")));
        for (String value : PARAM_VALUES) {
            out.add(fill(template, name -> value));
        }
        for (int i = 0; i < 2; i++) {
            out.add(fill(template, name -> random.nextBoolean() ? real.getOrDefault(name, "1") : randomSegment()));
        }
        return out;
    }

    private static String fill(String template, java.util.function.UnaryOperator<String> value) {
        Matcher m = PARAM.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(value.apply(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String randomSegment() {
        byte[] bytes = new byte[1 + random.nextInt(40)];
        random.nextBytes(bytes);
        return URLEncoder.encode(new String(bytes, StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8).replace("+", "%20");
    }

    record Body(String contentType, byte[] bytes) {}

    /** Odd bodies; {@code hugeSize} > 0 adds one of that many bytes. */
    private List<Body> bodies(int hugeSize) {
        List<Body> out = new ArrayList<>();
        for (String json : List.of("", "{", "}", "[]", "null", "true", "42", "\"text\"", "{\"reason\":", "{\"reason\": 5}",
                "{\"reason\": \"r\", \"drain\": \"yes\"}", "{\"reason\": null, \"drain\": null}", "{\"reason\": [1,2]}",
                "{\"reason\": {\"a\": 1}}", "{\"name\": 5, \"expiresAt\": \"tomorrow\"}",
                "{\"name\": \"t\", \"expiresAt\": \"1900-01-01T00:00:00Z\"}", "{\"name\": \"t\", \"expiresAt\": 1e300}",
                "{\"user\": [], \"password\": {}}", "{\"ref\": 7, \"branch\": []}", "{\"ref\": \"" + "r".repeat(100_000) + "\"}",
                "{\"a\":1,\"a\":2}", "{\"reason\": \"\\ud800\"}", "\ufeff{\"reason\": \"bom\"}", "{'reason': 'single'}",
                "[".repeat(50_000), "{\"a\":".repeat(20_000), "{\"reason\": \"" + "x".repeat(1_100_000) + "\"}")) {
            out.add(new Body("application/json", json.getBytes(StandardCharsets.UTF_8)));
        }
        out.add(new Body("application/json", new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0x00, '{'}));
        byte[] noise = new byte[4096];
        random.nextBytes(noise);
        out.add(new Body("application/json", noise));
        if (hugeSize > 0) {
            out.add(new Body("application/json", new byte[hugeSize]));
        }
        for (String form : List.of("id=abc", "id=-1&savePoint=%00", "id=99999999999999999999", "teamId=&jobName=",
                "id=1&savePointed=maybe&drain=2", "reason=" + "r".repeat(300_000), "%%%=%%%", "a=1&a=2&a",
                "_csrf=wrong&id=1")) {
            out.add(new Body("application/x-www-form-urlencoded", form.getBytes(StandardCharsets.UTF_8)));
        }
        out.add(new Body("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n1\r\n"
                .getBytes(StandardCharsets.UTF_8)));
        out.add(new Body("text/plain; charset=nonsense", "hello".getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    // ---- requests

    private void send(String method, String path, String contentType, byte[] body, boolean asAdmin) {
        HttpResponse<String> response = request(method, path, contentType, body, asAdmin);
        sent++;
        if (response.statusCode() >= 500) {
            failures.add(method + " " + abbreviate(path) + " [" + contentType + ", " + body.length + " bytes: "
                    + abbreviate(new String(body, 0, Math.min(body.length, 80), StandardCharsets.ISO_8859_1)) + "] -> "
                    + response.statusCode() + " " + abbreviate(response.body()));
        }
        // a 401 may be the route's own answer (an unsigned webhook); log in again only if the session is gone
        if (asAdmin && response.statusCode() == 401
                && request("GET", "/api/v1/sync", "application/json", new byte[0], true).statusCode() == 401) {
            login = new ServiceApi(service.port()).login("admin", ServiceApi.ADMIN_PASSWORD);
        }
    }

    private void webhook(String provider, byte[] body) {
        String signature = hmac(body);
        Map<String, String> headers = Map.of("X-Hub-Signature-256", "sha256=" + signature, "X-Gitea-Signature", signature,
                "X-Hub-Signature", "sha256=" + signature, "X-Tributary-Signature", "sha256=" + signature,
                "X-Gitlab-Token", WEBHOOK_SECRET, "X-GitHub-Event", "push", "X-Gitlab-Event", "Push Hook",
                "X-Gitea-Event", "push", "X-Event-Key", "repo:refs_changed");
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/api/v1/webhooks/" + provider))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        HttpResponse<String> response = exchange(request.build());
        sent++;
        if (response.statusCode() >= 500) {
            failures.add("webhook " + provider + " [" + body.length + " bytes: "
                    + abbreviate(new String(body, 0, Math.min(body.length, 80), StandardCharsets.ISO_8859_1)) + "] -> "
                    + response.statusCode() + " " + abbreviate(response.body()));
        }
    }

    private HttpResponse<String> request(String method, String path, String contentType, byte[] body, boolean asAdmin) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(base + path));
        } catch (IllegalArgumentException e) {
            throw new AssertionError("the fuzzer built a URI Java refuses: " + path, e);
        }
        request.timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
                .method(method, body.length == 0 && method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (asAdmin) {
            request.header("Cookie", login.cookie()).header("X-CSRF-Token", login.csrfToken());
        }
        return exchange(request.build());
    }

    private HttpResponse<String> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // the server may close the connection on a body it refuses (413) before reading it all
            if (new ServiceApi(service.port()).answers()) {
                return new FakeResponse(request, 499);
            }
            throw new AssertionError(request.method() + " " + request.uri() + ": the service stopped answering", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }

    /** A connection the server closed on purpose while the body was still being sent; it answers again after. */
    private record FakeResponse(HttpRequest request, int statusCode) implements HttpResponse<String> {
        @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        @Override public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
        @Override public String body() { return "(connection closed by the server while sending)"; }
        @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        @Override public URI uri() { return request.uri(); }
        @Override public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}
