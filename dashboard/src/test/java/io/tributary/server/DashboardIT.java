package io.tributary.server;

import static io.tributary.server.ConfigRepo.APP;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.interactions.Actions;

/**
 * The dashboard in headless Chromium against {@code tributary serve} on a real local Flink cluster:
 * an operator logs in, sees the app running, stops it with a reason (a savepoint is taken, and who
 * and why are shown), starts it again from that savepoint; plus keyboard, narrow-window and
 * secret checks on every page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
    private static final Duration STEP = Duration.ofMinutes(3);
    /** The value of a secret Variable: it must never reach a page. */
    private static final String SECRET = "s3cret-value-that-must-never-show-4711";
    private static final List<String> PAGES = List.of("/", "/apps/" + APP, "/clusters", "/teams", "/variables",
            "/sync", "/audit", "/alerts", "/tokens");

    @RegisterExtension
    static final ServiceProcesses PROCESSES = new ServiceProcesses();

    @TempDir
    static Path temp;
    private ConfigRepo repo;
    private ServiceProcess service;
    private Browser browser;
    private WebDriver driver;
    private String base;
    private String savepoint;

    @BeforeAll
    void start() throws Exception {
        repo = ConfigRepo.withCountingApp(temp.resolve("config"), "count-v1");
        repo.write("teams/streams/variables.yaml", """
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: sink_password, team: streams}
                spec:
                  secret: {env: STREAMS_SINK_PASSWORD}
                  description: the sink's password
                ---
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: print_prefix, team: streams}
                spec: {value: counts, description: a plain value}
                """);
        repo.commit("variables");
        service = PROCESSES.start("dashboard", temp.resolve("logs/serve.log"),
                Map.of("STREAMS_SINK_PASSWORD", SECRET),
                List.of("--repo", repo.dir().toString(), "--branch", "main", "--data-dir",
                        temp.resolve("data").toString(), "--poll-interval", "2s", "--workers", "2"));
        service.awaitUp(STEP);
        base = "http://localhost:" + service.port();
        browser = new Browser(temp.resolve("chromium"), 1280, 900);
        driver = browser.driver();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (service != null) {
            service.ensureStopped(Duration.ofSeconds(60));
        }
        if (repo != null) {
            repo.close();
        }
    }

    @Test
    @Order(1)
    void anOperatorLogsInAndSeesTheAppRunningOnTheOverview() {
        driver.get(base + "/");
        assertThat(driver.getCurrentUrl()).as("an anonymous visitor is sent to the login form").contains("/login");
        driver.findElement(By.id("user")).sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(ServiceApi.ADMIN_PASSWORD);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await("the overview opens after login", () -> URI.create(driver.getCurrentUrl()).getPath().equals("/"));

        await("the app's row says RUNNING and Healthy", () -> {
            driver.navigate().refresh();
            String row = driver.findElement(By.cssSelector("tr[data-app='" + APP + "']")).getText();
            return row.contains("RUNNING") && row.contains("Healthy");
        });
        assertThat(driver.findElement(By.cssSelector("tr[data-app='" + APP + "']")).getText())
                .contains("standalone-session").contains("local").contains("main@");
        browser.screenshot(Path.of("target", "screenshots", "overview.png"));
    }

    @Test
    @Order(2)
    void anOpenOverviewShowsANewSavepointWithoutAReload() {
        driver.get(base + "/");
        String overview = driver.getWindowHandle();
        String before = row().findElement(By.cssSelector("td.sp")).getText();
        ((JavascriptExecutor) driver).executeScript(
                "document.querySelector('h1').setAttribute('data-not-reloaded', 'yes')");
        driver.switchTo().newWindow(WindowType.TAB);
        openApp();
        fillAndSubmit("savepoint", "a savepoint while the overview is open");
        driver.close();
        driver.switchTo().window(overview);
        await("the open overview's row shows the new savepoint", () -> {
            String now = row().findElement(By.cssSelector("td.sp")).getText();
            return !now.equals(before) && !now.contains("none");
        });
        assertThat(driver.findElement(By.tagName("h1")).getAttribute("data-not-reloaded"))
                .as("the row changed over Server-Sent Events, not by a reload").isEqualTo("yes");
    }

    @Test
    @Order(3)
    void stoppingWithAReasonTakesASavepointAndShowsWhoAndWhy() {
        awaitNoOperationRunning();
        String savepointsBefore = driver.findElement(By.id("savepoints")).getText();
        // the job takes its savepoint, so the cancel asked for in case it fails does not happen
        driver.findElement(By.cssSelector("form[data-action=stop] input[name=cancelIfSavepointFails]")).click();
        fillAndSubmit("stop", "maintenance window for the sink");
        assertThat(driver.findElement(By.cssSelector(".flash.ok")).getText())
                .contains("admin").contains("maintenance window for the sink");
        ((JavascriptExecutor) driver).executeScript(
                "document.querySelector('h1').setAttribute('data-not-reloaded', 'yes')");
        // the page stays open: its summary is pushed, and the sections below follow it
        await("the open page shows the app stopped with a savepoint and Start enabled", () ->
                field("health").contains("Suspended") && field("job-state").contains("no job")
                        && !driver.findElement(By.id("savepoints")).getText().equals(savepointsBefore)
                        && enabled("start"));
        assertThat(driver.findElement(By.tagName("h1")).getAttribute("data-not-reloaded"))
                .as("the page followed the stop without a reload").isEqualTo("yes");
        assertThat(driver.findElement(By.id("drift")).getText()).contains("An operator stopped it");
        assertThat(field("override-actor")).isEqualTo("admin");
        assertThat(field("override-reason")).isEqualTo("maintenance window for the sink");
        assertThat(driver.findElement(By.id("audit")).getText()).contains("admin")
                .contains("stop (cancel if the savepoint fails)").contains("maintenance window for the sink");
        savepoint = driver.findElement(By.cssSelector("[data-field=last-savepoint] span.mono")).getAttribute("title");
        assertThat(savepoint).startsWith("file:");
        URI flink = flinkRestUrl();
        assertThat(LocalFlink.running(flink, APP)).as("no job of the app runs on Flink").isEmpty();
    }

    @Test
    @Order(4)
    void startingAgainRunsFromThatSavepoint() {
        openApp();
        assertThat(enabled("stop")).as("stop is disabled while no job runs").isFalse();
        startAndAwaitRunning("maintenance done");
        WebElement latest = driver.findElement(By.cssSelector("#deployments tbody tr"));
        assertThat(latest.getText()).contains(savepoint).contains("running");
    }

    @Test
    @Order(5)
    void theKeyboardReachesTheOverrideControlsInOrder() {
        // a new document, not the app page reloaded over itself: Chromium may keep the last focus position
        // of a page loaded again at the same address, and Tab would start from there
        driver.get("about:blank");
        openApp();
        await("the app page has loaded", () -> "complete".equals(
                ((JavascriptExecutor) driver).executeScript("return document.readyState")));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 60 && !order.contains("button:stop"); i++) {
            new Actions(driver).sendKeys(Keys.TAB).perform();
            WebElement active = driver.switchTo().activeElement();
            String id = active.getAttribute("id");
            String form = (String) ((JavascriptExecutor) driver).executeScript(
                    "var f = arguments[0].closest('form'); return f ? f.getAttribute('data-action') : null;", active);
            order.add(active.getTagName() + ":" + (id != null && !id.isEmpty() ? id
                    : form != null ? form : active.getText()));
        }
        assertThat(order.get(0)).as("the first Tab stop is the skip link").isEqualTo("a:Skip to content");
        assertThat(order).contains("input:reason-stop", "button:stop");
        assertThat(order.indexOf("input:reason-stop")).isLessThan(order.indexOf("button:stop"));
        WebElement focused = driver.switchTo().activeElement();
        String outline = (String) ((JavascriptExecutor) driver).executeScript(
                "return getComputedStyle(arguments[0]).outlineStyle", focused);
        assertThat(outline).as("the focused control shows a focus ring").isNotEqualTo("none");
    }

    @Test
    @Order(6)
    void aNarrowWindowHasNoHorizontalScroll() {
        browser.resize(400, 900);
        try {
            for (String page : List.of("/", "/apps/" + APP, "/clusters", "/sync", "/variables", "/teams")) {
                driver.get(base + page);
                await("the viewport is 400 px wide", () -> ((Long) ((JavascriptExecutor) driver).executeScript(
                        "return document.readyState === 'complete' ? window.innerWidth : 9999")) <= 400L);
                Long overflow = (Long) ((JavascriptExecutor) driver).executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
                if (overflow > 0) {
                    browser.screenshot(Path.of("target", "screenshots", "narrow" + page.replace('/', '_') + ".png"));
                }
                assertThat(overflow).as("horizontal overflow of %s at 400 px, from %s", page, ((JavascriptExecutor) driver)
                        .executeScript("var w = document.documentElement.clientWidth, r = [];"
                                + " document.querySelectorAll('body *').forEach(function (e) {"
                                + " var b = e.getBoundingClientRect(); if (b.right > w + 1 && r.length < 6)"
                                + " r.push(e.tagName + '.' + e.className + ' right=' + Math.round(b.right)); });"
                                + " return r.join('; ');")).isLessThanOrEqualTo(0L);
            }
        } finally {
            browser.resize(1280, 900);
        }
    }

    @Test
    @Order(7)
    void noPageShowsASecretValue() throws Exception {
        String cookie = driver.manage().getCookieNamed("tributary_session").getValue();
        HttpClient http = HttpClient.newHttpClient();
        for (String page : PAGES) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + page))
                    .header("Cookie", "tributary_session=" + cookie).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(response.body()).as(page).contains("</html>").doesNotContain(SECRET);
        }
        driver.get(base + "/variables");
        String variables = driver.findElement(By.tagName("main")).getText();
        assertThat(variables).contains("sink_password").contains("secret")
                .contains("environment variable STREAMS_SINK_PASSWORD").contains("counts");
    }

    @Test
    @Order(8)
    void aTokenIsShownOnceAndCanBeRevoked() throws Exception {
        driver.get(base + "/tokens");
        driver.findElement(By.id("token-name")).sendKeys("nightly-report");
        driver.findElement(By.cssSelector("form[action='/tokens'] button[type=submit]")).click();
        await("the new token is shown", () -> !driver.findElements(By.id("new-token")).isEmpty());
        String secret = driver.findElement(By.id("new-token")).getAttribute("value");
        assertThat(secret).hasSizeGreaterThan(20);
        assertThat(driver.findElement(By.cssSelector("button[data-copy='new-token']")).getText()).isEqualTo("Copy");
        HttpResponse<String> withToken = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base + "/api/v1/applications")).header("Authorization", "Bearer " + secret).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).as("the new token works").isEqualTo(200);

        driver.get(base + "/tokens");
        assertThat(driver.getPageSource()).as("the secret is shown only once").doesNotContain(secret);
        WebElement row = driver.findElement(By.xpath("//tr[th[normalize-space()='nightly-report']]"));
        assertThat(row.getText()).contains("active");
        row.findElement(By.cssSelector("button.danger")).click();
        // A click does not always wait for the form's navigation: wait for the answer's page.
        await("the page is back after revoking", () -> !driver.findElements(By.cssSelector(".flash.ok")).isEmpty());
        assertThat(driver.findElement(By.cssSelector(".flash.ok")).getText()).contains("revoked");
        assertThat(driver.findElement(By.xpath("//tr[th[normalize-space()='nightly-report']]")).getText())
                .contains("revoked");
        HttpResponse<String> revoked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base + "/api/v1/applications")).header("Authorization", "Bearer " + secret).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).as("the revoked token is refused").isEqualTo(401);
    }

    @Test
    @Order(9)
    void pagesWithLiveUpdatesLeaveNoConnectionBehind() {
        // each live page holds a stream of updates; kept open by pages the browser saves for its back
        // button, they took all six of its connections to the service and the next page hung for a minute
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        try {
            for (int i = 0; i < 4; i++) {
                driver.get(base + "/");
                openApp();
            }
            driver.get(base + "/clusters");
            assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Clusters");
        } finally {
            driver.manage().timeouts().pageLoadTimeout(Duration.ofMinutes(2));
        }
    }

    @Test
    @Order(10)
    void aJobCancelledInFlinkPastItsRestartPolicyIsStartedAgainFromItsPage() throws Exception {
        java.nio.file.Path file = repo.dir().resolve(ConfigRepo.APP_FILE);
        repo.write(ConfigRepo.APP_FILE, java.nio.file.Files.readString(file)
                .replace("spec:\n", "spec:\n  restartPolicy: {maxRestarts: 0}\n"));
        String commit = repo.commit("no automatic restarts"); // steers Tributary only: the job runs on
        await("the commit is applied", () -> {
            driver.get(base + "/sync");
            return driver.findElement(By.tagName("main")).getText().contains(commit.substring(0, 7));
        });
        URI flink = flinkRestUrl();
        String cancelled = LocalFlink.running(flink, APP).get(0).id();

        LocalFlink.cancel(flink, cancelled); // from outside: Flink's UI or CLI
        await("the app is degraded, not restarted", () -> {
            openApp();
            return field("health").contains("Degraded") && field("job-state").contains("CANCELED");
        });
        assertThat(enabled("restart")).as("no job to restart").isFalse();
        assertThat(enabled("start")).as("start brings it back").isTrue();

        startAndAwaitRunning("sink fixed, bring it back");
        assertThat(LocalFlink.running(flink, APP)).singleElement().extracting(LocalFlink.Job::id)
                .isNotEqualTo(cancelled);
        assertThat(driver.findElement(By.cssSelector("#deployments tbody tr")).getText())
                .as("restored from the state the cancelled job left").doesNotContain("empty state");
    }

    // ---- helpers

    private void openApp() {
        driver.get(base + "/apps/" + APP);
    }

    /** Overrides are refused while another operation of the app runs (the savepoint of the test before). */
    private void awaitNoOperationRunning() {
        await("no operation of the app is open", () -> {
            openApp();
            return driver.findElements(By.cssSelector("#operations .badge")).stream()
                    .noneMatch(b -> b.getText().strip().equals("open"));
        });
    }

    private WebElement row() {
        return driver.findElement(By.cssSelector("tr[data-app='" + APP + "']"));
    }

    private String field(String name) {
        try {
            return driver.findElement(By.cssSelector("[data-field='" + name + "']")).getText().strip();
        } catch (NoSuchElementException e) {
            return "";
        }
    }

    private void fillAndSubmit(String action, String reason) {
        WebElement form = driver.findElement(By.cssSelector("form[data-action='" + action + "']"));
        form.findElement(By.name("reason")).sendKeys(reason);
        form.findElement(By.cssSelector("button[type=submit]")).click();
        await("the page is back after " + action, () -> driver.findElements(By.cssSelector(".flash")).size() > 0);
        assertThat(driver.findElements(By.cssSelector(".flash.error"))).as("no error flash after %s: %s", action,
                driver.findElements(By.cssSelector(".flash")).stream().map(WebElement::getText).toList()).isEmpty();
    }

    /** Whether the app page's form for {@code action} may be used. */
    private boolean enabled(String action) {
        return driver.findElement(By.cssSelector("form[data-action=" + action + "] fieldset"))
                .getAttribute("disabled") == null;
    }

    private void startAndAwaitRunning(String reason) {
        fillAndSubmit("start", reason);
        await("the app runs again", () -> {
            openApp();
            return field("job-state").contains("RUNNING");
        });
    }

    private URI flinkRestUrl() {
        driver.get(base + "/clusters");
        String address = driver.findElement(By.cssSelector("td[data-label=Address] a")).getAttribute("href");
        openApp();
        URI ui = URI.create(address);
        return URI.create(ui.getScheme() + "://" + ui.getAuthority());
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, STEP, condition);
    }
}
