package io.tributary.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** What a Flink cluster's own REST API says about its jobs, asked directly, not through Tributary. */
final class LocalFlink {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    record Job(String id, String name, String state) {}

    private LocalFlink() {}

    /** Every job the cluster knows ({@code /jobs/overview}): running ones and those it still remembers. */
    static List<Job> jobs(URI restUrl) {
        HttpRequest request = HttpRequest.newBuilder(restUrl.resolve("/jobs/overview"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode());
            }
            List<Job> jobs = new ArrayList<>();
            for (JsonNode job : ServiceApi.JSON.readTree(response.body()).path("jobs")) {
                jobs.add(new Job(job.path("jid").asString(), job.path("name").asString(), job.path("state").asString()));
            }
            return jobs;
        } catch (IOException e) {
            throw new UncheckedIOException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Cancels the job as Flink's UI or CLI would ({@code PATCH /jobs/:id?mode=cancel}). */
    static void cancel(URI restUrl, String jobId) {
        HttpRequest request = HttpRequest.newBuilder(restUrl.resolve("/jobs/" + jobId + "?mode=cancel"))
                .timeout(Duration.ofSeconds(10)).method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The RUNNING jobs named {@code name} (an app's jobs are named after it, {@code team/name}). */
    static List<Job> running(URI restUrl, String name) {
        return jobs(restUrl).stream().filter(j -> j.name().equals(name) && j.state().equals("RUNNING")).toList();
    }
}
