package io.tributary.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.api.ApplicationsApi.ApplicationView;
import io.tributary.server.api.ApplicationsApi.OverrideView;
import io.tributary.server.api.ApplicationsApi.SavepointView;
import io.tributary.server.api.ApplicationsApi.StatusView;
import io.tributary.server.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code tributary plan --server} reads {@code GET /api/v1/applications}; its tests answer with a
 * canned copy of that JSON (in the reconciler's test resources). This keeps the copy's shape the
 * one the API writes, so neither can drift without the other.
 */
class ApplicationsApiShapeTest {
    private static final Path CANNED = Path.of("../reconciler/src/test/resources/plan-server/applications.json");

    @Test
    void applicationsItemIsShapedAsPlanServerExpects() throws Exception {
        Instant at = Instant.parse("2026-11-26T11:58:02.117Z");
        ApplicationView view = new ApplicationView(4, "payments", "orders", true, "standalone-session", "local",
                "running", "savepoint", true,
                new StatusView("d4d4", "RUNNING", "local", "Healthy", "Synced", "job RUNNING", "main@sha1:ab12", "9f8e", at),
                new OverrideView("suspended", false, false, true, "alice", "incident 42", at),
                new SavepointView("file:/savepoints/1", "savepoint", at), "http://localhost:8081/#/job/running/d4d4");
        JsonNode written = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(view));
        JsonNode canned = Json.MAPPER.readTree(Files.readString(CANNED)).get("items").get(0);

        assertThat(List.copyOf(written.propertyNames())).isEqualTo(List.copyOf(canned.propertyNames()));
        assertThat(List.copyOf(written.get("status").propertyNames()))
                .isEqualTo(List.copyOf(canned.get("status").propertyNames()))
                .contains("jobId", "jobState", "sync", "message", "revision", "specHash");
        assertThat(List.copyOf(written.get("lastSavepoint").propertyNames()))
                .isEqualTo(List.copyOf(canned.get("lastSavepoint").propertyNames()));
        assertThat(List.copyOf(written.get("override").propertyNames()))
                .contains("pinnedState", "syncPaused", "actor", "reason");
        assertThat(written.get("status").get("updatedAt").asString()).isEqualTo("2026-11-26T11:58:02.117Z");
    }
}
