package io.tributary.store;

import io.tributary.store.BuildRecord.BuiltArtifact;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Builds of Projects and the artifacts they produced (tables of {@code V4__builds.sql}). Each call is
 * its own transaction; a log grows by appends while its build runs.
 */
public final class BuildStore {
    private static final String COLUMNS = "id, project, commit_id, revision, spec_hash, status, trigger, message,"
            + " reused_from, created_at, started_at, finished_at, wanted";
    private static final RowMapper<BuildRecord> ROW = (rs, ctx) -> new BuildRecord(rs.getLong("id"),
            rs.getString("project"), rs.getString("commit_id"), rs.getString("revision"), rs.getString("spec_hash"),
            rs.getString("status"), rs.getString("trigger"), rs.getString("message"),
            rs.getObject("reused_from") == null ? null : rs.getLong("reused_from"),
            instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("started_at")),
            instant(rs.getTimestamp("finished_at")), hasLog(rs) ? rs.getString("log") : "", wanted(rs), List.of());

    private final Jdbi jdbi;
    private final Clock clock;

    public BuildStore(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
    }

    /**
     * A new build in {@code status} (queued, or succeeded for one that reuses artifacts), asked for the
     * artifacts at {@code wanted}, with its id.
     */
    public BuildRecord create(String project, String commitId, String revision, String specHash, String status,
            String trigger, Long reusedFrom, Collection<String> wanted) {
        requireStatus(status);
        Instant now = now();
        return jdbi.withHandle(h -> {
            long id = h.createQuery("""
                    INSERT INTO builds (project, commit_id, revision, spec_hash, status, trigger, reused_from, created_at,
                        wanted)
                    VALUES (:project, :commit, :revision, :spec, :status, :trigger, :reused, :now, :wanted) RETURNING id
                    """).bind("project", project).bind("commit", commitId).bind("revision", revision)
                    .bind("spec", specHash).bind("status", status).bind("trigger", trigger)
                    .bind("reused", reusedFrom).bind("now", now).bind("wanted", wanted.stream().sorted()
                            .toArray(String[]::new)).mapTo(Long.class).one();
            return read(h, id).orElseThrow();
        });
    }

    public void started(long id) {
        Instant now = now();
        jdbi.useHandle(h -> h.createUpdate("UPDATE builds SET status = 'running', started_at = :now WHERE id = :id")
                .bind("now", now).bind("id", id).execute());
    }

    /** Ends a build with its outcome and the artifacts it produced (none unless it succeeded). */
    public void finished(long id, String status, String message, List<BuiltArtifact> artifacts) {
        requireStatus(status);
        Instant now = now();
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                    UPDATE builds SET status = :status, message = :message, finished_at = :now,
                        started_at = COALESCE(started_at, :now) WHERE id = :id
                    """).bind("status", status).bind("message", message).bind("now", now).bind("id", id).execute();
            for (BuiltArtifact a : artifacts) {
                h.createUpdate("INSERT INTO build_artifacts (build_id, path, sha256, size_bytes) VALUES (:id, :path, :sha, :size)")
                        .bind("id", id).bind("path", a.path()).bind("sha", a.sha256()).bind("size", a.sizeBytes())
                        .execute();
            }
        });
    }

    public void appendLog(long id, String text) {
        if (text.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> h.createUpdate("UPDATE builds SET log = log || :text WHERE id = :id")
                .bind("text", text.replace("\0", "")).bind("id", id).execute());
    }

    /** One build with its log and artifacts. */
    public Optional<BuildRecord> build(long id) {
        return jdbi.withHandle(h -> read(h, id));
    }

    /** A project's newest builds first, without logs. */
    public List<BuildRecord> builds(String project, int limit) {
        return jdbi.withHandle(h -> withArtifacts(h, h.createQuery("SELECT " + COLUMNS
                + " FROM builds WHERE project = :project ORDER BY id DESC LIMIT :limit")
                .bind("project", project).bind("limit", limit).map(ROW).list()));
    }

    /** Each project's newest build, by project: one query for a reconcile pass. */
    public Map<String, BuildRecord> latestByProject() {
        return jdbi.withHandle(h -> {
            Map<String, BuildRecord> out = new HashMap<>();
            for (BuildRecord b : withArtifacts(h, h.createQuery("SELECT DISTINCT ON (project) " + COLUMNS
                    + " FROM builds ORDER BY project, id DESC").map(ROW).list())) {
                out.put(b.project(), b);
            }
            return out;
        });
    }

    /** The newest succeeded build of this key (commit and build spec), with its artifacts. */
    public Optional<BuildRecord> succeeded(String project, String commitId, String specHash) {
        return jdbi.withHandle(h -> withArtifacts(h, h.createQuery("SELECT " + COLUMNS + """
                 FROM builds WHERE project = :project AND commit_id = :commit AND spec_hash = :spec
                 AND status = 'succeeded' ORDER BY id DESC LIMIT 1
                """).bind("project", project).bind("commit", commitId).bind("spec", specHash).map(ROW).list())
                .stream().findFirst());
    }

    /** A project's succeeded builds, newest first, with artifacts: where an app's last good jar is found. */
    public List<BuildRecord> succeeded(String project, int limit) {
        return jdbi.withHandle(h -> withArtifacts(h, h.createQuery("SELECT " + COLUMNS
                + " FROM builds WHERE project = :project AND status = 'succeeded' ORDER BY id DESC LIMIT :limit")
                .bind("project", project).bind("limit", limit).map(ROW).list()));
    }

    /** Builds a crash left queued or running: they are marked failed at start-up. */
    public int failUnfinished(String message) {
        Instant now = now();
        return jdbi.withHandle(h -> h.createUpdate("""
                UPDATE builds SET status = 'failed', message = :message, finished_at = :now
                WHERE status IN ('queued', 'running')
                """).bind("message", message).bind("now", now).execute());
    }

    /** Every artifact digest a build recorded: what the artifact store may not forget while in use. */
    public Set<String> artifactDigests() {
        return Set.copyOf(jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT sha256 FROM build_artifacts")
                .mapTo(String.class).list()));
    }

    private static Optional<BuildRecord> read(Handle h, long id) {
        return withArtifacts(h, h.createQuery("SELECT " + COLUMNS + ", log FROM builds WHERE id = :id")
                .bind("id", id).map(ROW).list()).stream().findFirst();
    }

    private static List<BuildRecord> withArtifacts(Handle h, List<BuildRecord> builds) {
        if (builds.isEmpty()) {
            return builds;
        }
        Map<Long, List<BuiltArtifact>> byBuild = new HashMap<>();
        h.createQuery("SELECT * FROM build_artifacts WHERE build_id = ANY(:ids) ORDER BY path")
                .bind("ids", builds.stream().map(BuildRecord::id).toArray(Long[]::new))
                .map((rs, ctx) -> {
                    byBuild.computeIfAbsent(rs.getLong("build_id"), k -> new ArrayList<>())
                            .add(new BuiltArtifact(rs.getString("path"), rs.getString("sha256"), rs.getLong("size_bytes")));
                    return null;
                }).list();
        return builds.stream().map(b -> b.withArtifacts(byBuild.getOrDefault(b.id(), List.of()))).toList();
    }

    private static boolean hasLog(java.sql.ResultSet rs) throws java.sql.SQLException {
        java.sql.ResultSetMetaData meta = rs.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if ("log".equalsIgnoreCase(meta.getColumnLabel(i))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> wanted(java.sql.ResultSet rs) throws java.sql.SQLException {
        java.sql.Array paths = rs.getArray("wanted");
        return paths == null ? null : List.of((String[]) paths.getArray());
    }

    private static Instant instant(java.sql.Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static void requireStatus(String status) {
        if (!BuildRecord.STATUSES.contains(status)) {
            throw new IllegalArgumentException("build status is \"" + status + "\"; expected one of "
                    + BuildRecord.STATUSES.stream().sorted().toList());
        }
    }
}
