-- Builds of Projects (a Git repository built with Maven into job jars). A build is keyed by the
-- project's commit and the digest of its build spec; an unchanged key reuses the artifacts of the
-- succeeded build that has it. The log is appended while the build runs.

CREATE TABLE builds (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project      text        NOT NULL,             -- team/name
    commit_id    text        NOT NULL,             -- 40 hex
    revision     text        NOT NULL,             -- main@sha1:<hex>
    spec_hash    text        NOT NULL,
    status       text        NOT NULL,             -- queued | running | succeeded | failed | canceled
    trigger      text        NOT NULL,             -- why it ran: new commit, manual by alice, ...
    message      text,                             -- one line: the outcome, or why it failed
    reused_from  bigint      REFERENCES builds (id),
    created_at   timestamptz NOT NULL,
    started_at   timestamptz,
    finished_at  timestamptz,
    log          text        NOT NULL DEFAULT ''
);
CREATE INDEX builds_by_project ON builds (project, id DESC);
CREATE INDEX builds_by_key ON builds (project, commit_id, spec_hash, id DESC);

CREATE TABLE build_artifacts (
    build_id   bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    path       text   NOT NULL,                    -- as the Application names it, relative to the repository
    sha256     text   NOT NULL,
    size_bytes bigint NOT NULL,
    PRIMARY KEY (build_id, path)
);
CREATE INDEX build_artifacts_by_sha ON build_artifacts (sha256);
