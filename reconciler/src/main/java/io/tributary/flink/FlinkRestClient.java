package io.tributary.flink;

import io.tributary.flink.FlinkRest.Checkpoint;
import io.tributary.flink.FlinkRest.CheckpointStats;
import io.tributary.flink.FlinkRest.Failure;
import io.tributary.flink.FlinkRest.ClusterOverview;
import io.tributary.flink.FlinkRest.JobExceptions;
import io.tributary.flink.FlinkRest.JobSummary;
import io.tributary.flink.FlinkRest.RunRequest;
import io.tributary.flink.FlinkRest.SavepointStatus;
import io.tributary.flink.FlinkRest.TaskManager;
import io.tributary.model.JobState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Flink's REST API, version-stable across 1.20 and 2.x, over java.net.http. Every failure is a
 * {@link FlinkException} that keeps Flink's own message.
 */
public final class FlinkRestClient {
    private static final JsonMapper JSON = JsonMapper.shared();

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    public FlinkRestClient(URI base, HttpClient http, Duration timeout) {
        this.base = baseOf(base);
        this.http = http;
        this.timeout = timeout;
    }

    /** A REST address as {@link #baseUri()} gives it: with one trailing slash, so paths resolve under it. */
    public static URI baseOf(URI address) {
        String text = address.toString();
        return text.endsWith("/") ? address : URI.create(text + "/");
    }

    public static FlinkRestClient of(String baseUrl) {
        return new FlinkRestClient(URI.create(baseUrl),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), Duration.ofSeconds(60));
    }

    public URI baseUri() {
        return base;
    }

    // ---- cluster

    public ClusterOverview overview() {
        JsonNode body = get("overview");
        return new ClusterOverview(body.path("flink-version").asString(""), body.path("taskmanagers").asInt(),
                body.path("slots-total").asInt(), body.path("slots-available").asInt(), body.path("jobs-running").asInt());
    }

    /** The configuration the JobManager runs with ({@code GET /jobmanager/config}), by key. */
    public Map<String, String> jobManagerConfiguration() {
        Map<String, String> out = new HashMap<>();
        for (JsonNode entry : get("jobmanager/config")) {
            out.put(entry.path("key").asString(), entry.path("value").asString());
        }
        return out;
    }

    public List<TaskManager> taskManagers() {
        List<TaskManager> out = new ArrayList<>();
        for (JsonNode tm : get("taskmanagers").path("taskmanagers")) {
            out.add(new TaskManager(tm.path("id").asString(), tm.path("slotsNumber").asInt(), tm.path("freeSlots").asInt()));
        }
        return out;
    }

    // ---- jars

    /** Uploads a jar; returns the id Flink gives it for {@link #runJar}. */
    public String uploadJar(Path jar) {
        String boundary = "tributary-" + UUID.randomUUID();
        byte[] body;
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            String fileName = jar.getFileName().toString().replace("\"", "");
            out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"" + fileName
                    + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(Files.readAllBytes(jar));
            out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            body = out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + jar, e);
        }
        HttpRequest request = request("jars/upload")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        String fileName = send("upload " + jar.getFileName(), request).path("filename").asString("");
        return fileName.substring(fileName.lastIndexOf('/') + 1);
    }

    public JobId runJar(String jarId, RunRequest run) {
        ObjectNode body = jarRequest(run);
        if (run.jobId() != null) {
            body.put("jobId", run.jobId().hex());
        }
        if (run.savepointPath() != null) {
            body.put("savepointPath", run.savepointPath());
            body.put("allowNonRestoredState", run.allowNonRestoredState());
        }
        JsonNode answer = send("run " + jarFile(jarId), post("jars/" + encode(jarId) + "/run", body));
        return new JobId(answer.path("jobid").asString());
    }

    /**
     * Runs the jar's main method as {@link #runJar} would, but has Flink return the job's plan instead
     * of starting it: what the planner refuses is refused here, and nothing runs.
     */
    public void planJar(String jarId, RunRequest run) {
        send("plan " + jarFile(jarId), post("jars/" + encode(jarId) + "/plan", jarRequest(run)));
    }

    /** What a run and a plan of a jar share: entry class, arguments, parallelism and Flink options. */
    private static ObjectNode jarRequest(RunRequest run) {
        ObjectNode body = JSON.createObjectNode();
        if (run.entryClass() != null) {
            body.put("entryClass", run.entryClass());
        }
        // Flink 2.x ignores programArgs; programArgsList works on both and needs no quoting
        body.putPOJO("programArgsList", run.args());
        if (run.parallelism() != null) {
            body.put("parallelism", run.parallelism());
        }
        if (!run.flinkConfiguration().isEmpty()) {
            body.putPOJO("flinkConfiguration", run.flinkConfiguration());
        }
        return body;
    }

    /** Flink names an upload {@code <uuid>_<file name>}: the file name is what a reader recognises. */
    private static String jarFile(String jarId) {
        return jarId.substring(jarId.indexOf('_') + 1);
    }

    public void deleteJar(String jarId) {
        send("delete jar " + jarId, request("jars/" + encode(jarId)).DELETE().build());
    }

    // ---- jobs

    public List<JobSummary> jobs() {
        List<JobSummary> out = new ArrayList<>();
        for (JsonNode job : get("jobs/overview").path("jobs")) {
            out.add(summary(job));
        }
        return out;
    }

    public JobSummary job(JobId id) {
        return summary(get("jobs/" + id));
    }

    public JobExceptions exceptions(JobId id) {
        JsonNode body = get("jobs/" + id + "/exceptions");
        List<Failure> history = new ArrayList<>();
        for (JsonNode entry : body.path("exceptionHistory").path("entries")) {
            history.add(new Failure(Instant.ofEpochMilli(entry.path("timestamp").asLong()),
                    entry.path("stacktrace").asString(entry.path("exceptionName").asString(""))));
        }
        // 2.x dropped root-exception and its timestamp; the newest history entry says the same
        Optional<String> root = text(body, "root-exception").or(() -> history.stream().findFirst().map(Failure::stacktrace));
        Optional<Instant> when = body.hasNonNull("timestamp") ? Optional.of(Instant.ofEpochMilli(body.get("timestamp").asLong()))
                : history.stream().findFirst().map(Failure::at);
        return new JobExceptions(root, when, history);
    }

    public CheckpointStats checkpoints(JobId id) {
        JsonNode body = get("jobs/" + id + "/checkpoints");
        JsonNode counts = body.path("counts");
        JsonNode latest = body.path("latest");
        return new CheckpointStats(counts.path("completed").asLong(), counts.path("failed").asLong(),
                counts.path("in_progress").asLong(), newer(checkpoint(latest.path("completed"), "latest_ack_timestamp"),
                        checkpoint(latest.path("savepoint"), "latest_ack_timestamp")),
                text(latest.path("failed"), "failure_message"), checkpoint(latest.path("restored"), "restore_timestamp"));
    }

    /** Starts a savepoint and returns its trigger id; poll with {@link #savepointStatus}. */
    public String triggerSavepoint(JobId id, String targetDirectory) {
        ObjectNode body = JSON.createObjectNode();
        if (targetDirectory != null) {
            body.put("target-directory", targetDirectory);
        }
        body.put("cancel-job", false);
        return send("savepoint " + id, post("jobs/" + id + "/savepoints", body)).path("request-id").asString();
    }

    /** Stops the job with a final savepoint (optionally draining); poll with {@link #savepointStatus}. */
    public String stopWithSavepoint(JobId id, String targetDirectory, boolean drain) {
        ObjectNode body = JSON.createObjectNode();
        if (targetDirectory != null) {
            body.put("targetDirectory", targetDirectory);
        }
        body.put("drain", drain);
        return send("stop " + id, post("jobs/" + id + "/stop", body)).path("request-id").asString();
    }

    public SavepointStatus savepointStatus(JobId id, String triggerId) {
        JsonNode body = get("jobs/" + id + "/savepoints/" + encode(triggerId));
        if (!"COMPLETED".equals(body.path("status").path("id").asString(""))) {
            return new SavepointStatus.InProgress();
        }
        JsonNode operation = body.path("operation");
        if (operation.has("location") && !operation.get("location").isNull()) {
            return new SavepointStatus.Completed(operation.get("location").asString());
        }
        JsonNode cause = operation.path("failure-cause");
        return new SavepointStatus.Failed(firstLines(cause.path("stack-trace").asString(
                cause.path("class").asString("the savepoint failed without a cause"))));
    }

    /** Starts disposing a savepoint's files; poll with {@link #disposalStatus}. */
    public String disposeSavepoint(String path) {
        ObjectNode body = JSON.createObjectNode();
        body.put("savepoint-path", path);
        return send("dispose " + path, post("savepoint-disposal", body)).path("request-id").asString();
    }

    /** Empty while the disposal runs; then empty text on success, or Flink's reason. */
    public Optional<Optional<String>> disposalStatus(String triggerId) {
        JsonNode body = get("savepoint-disposal/" + encode(triggerId));
        if (!"COMPLETED".equals(body.path("status").path("id").asString(""))) {
            return Optional.empty();
        }
        JsonNode cause = body.path("operation").path("failure-cause");
        if (cause.isMissingNode() || cause.isNull()) {
            return Optional.of(Optional.empty());
        }
        return Optional.of(Optional.of(firstLines(cause.path("stack-trace").asString(
                cause.path("class").asString("disposal failed without a cause")))));
    }

    public void cancel(JobId id) {
        send("cancel " + id, request("jobs/" + id + "?mode=cancel")
                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                .build());
    }

    // ---- plumbing

    private static JobSummary summary(JsonNode job) {
        long end = job.path("end-time").asLong(-1);
        long start = job.path("start-time").asLong();
        return new JobSummary(new JobId(job.path("jid").asString()), job.path("name").asString(""),
                JobState.fromFlink(job.path("state").asString(null)), Instant.ofEpochMilli(start),
                end > 0 ? Optional.of(Instant.ofEpochMilli(end)) : Optional.empty(),
                Instant.ofEpochMilli(job.path("last-modification").asLong(start)),
                // a bounded source's task finishes while the job runs on: finished tasks are not waiting ones
                job.path("tasks").path("running").asInt(0) + job.path("tasks").path("finished").asInt(0),
                job.path("tasks").path("total").asInt(0));
    }

    private static Optional<Checkpoint> checkpoint(JsonNode node, String timeField) {
        if (node.isMissingNode() || node.isNull() || !node.has("external_path")) {
            return Optional.empty();
        }
        boolean savepoint = node.path("is_savepoint").asBoolean(false)
                || node.path("checkpoint_type").asString("").contains("SAVEPOINT");
        long size = node.path("checkpointed_size").asLong(node.path("state_size").asLong(0));
        return Optional.of(new Checkpoint(node.path("id").asLong(), node.path("external_path").asString(),
                Instant.ofEpochMilli(node.path(timeField).asLong()), savepoint, size));
    }

    /** Flink lists the latest savepoint apart from the latest checkpoint; both count as completed (ids share one sequence). */
    private static Optional<Checkpoint> newer(Optional<Checkpoint> checkpoint, Optional<Checkpoint> savepoint) {
        if (checkpoint.isEmpty() || savepoint.isEmpty()) {
            return checkpoint.or(() -> savepoint);
        }
        return savepoint.get().id() > checkpoint.get().id() ? savepoint : checkpoint;
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() && !value.asString().isEmpty() ? Optional.of(value.asString()) : Optional.empty();
    }

    private static final String CAUSED_BY = "Caused by: ";
    private static final String MAIN_FAILED = "The main method caused an error: ";

    /**
     * An error Flink answered with, without its stack: the job's own message when its main method
     * failed (for a SQL app, the SQL runner's, with the line and column), else the first line and the
     * root cause; the first lines when there is no cause.
     */
    static String summary(String text) {
        String rootCause = null;
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int main = line.indexOf(MAIN_FAILED);
            if (main >= 0) {
                return line.substring(main + MAIN_FAILED.length()).strip() + messageCauses(lines, i + 1);
            }
            if (line.startsWith(CAUSED_BY)) {
                rootCause = line.substring(CAUSED_BY.length()).strip();
            }
        }
        return rootCause == null ? firstLines(text) : text.lines().findFirst().orElse("").strip() + "; caused by "
                + rootCause;
    }

    /**
     * The causes a job's message names on lines of its own before the stack starts (the SQL runner
     * adds them: "Unable to create a sink ..." is said by Flink, "Could not find any factory for
     * identifier 'blackhol'" by its cause), as {@code "; caused by: ..."}.
     */
    private static String messageCauses(String[] lines, int from) {
        StringBuilder causes = new StringBuilder();
        for (int i = from; i < lines.length && !lines[i].startsWith("\t"); i++) {
            if (lines[i].startsWith(CAUSED_BY)) {
                causes.append("; caused by: ").append(lines[i].substring(CAUSED_BY.length()).strip());
            }
        }
        return causes.toString();
    }

    /** The first three lines of an error that are not stack frames. */
    static String firstLines(String text) {
        return text.lines().filter(line -> !line.startsWith("\tat ") && !line.startsWith("\t..."))
                .limit(3).collect(Collectors.joining("\n")).strip();
    }

    private JsonNode get(String path) {
        return send("GET /" + path, request(path).GET().build());
    }

    private HttpRequest post(String path, ObjectNode body) {
        return request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Accept", "application/json");
    }

    private JsonNode send(String call, HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FlinkException.Unreachable(call + ": Flink at " + base + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkException.Unreachable(call + ": interrupted", e);
        }
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (status >= 200 && status < 300) {
            return body;
        }
        // a 500 answers ["Internal server error.", "<Exception on server side: ..."]: summarised as one text
        List<String> errors = new ArrayList<>();
        body.path("errors").forEach(e -> errors.add(e.asString()));
        String message = FlinkException.describe(call, status,
                errors.isEmpty() ? List.of() : List.of(summary(String.join("\n", errors))));
        if (status == 404) {
            throw new FlinkException.NotFound(message);
        }
        if (status >= 500) {
            throw new FlinkException.ServerError(message);
        }
        throw new FlinkException.Rejected(status, message);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            ObjectNode wrapped = JSON.createObjectNode();
            wrapped.putArray("errors").add(body.length() > 500 ? body.substring(0, 500) : body);
            return wrapped;
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
