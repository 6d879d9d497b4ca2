-- The service's own records. Times are timestamptz written from the service's clock (never now()),
-- so what a test's fixed clock says is what it reads back. App keys are 'team/name'; history tables
-- keep the key as text, not a foreign key, so deleting an app from Git keeps its history.

-- A stable numeric id per app key: assigned on first use, never reused, kept when the app is deleted
-- and reused when it comes back (StreamPark-compatible integrations address apps by number).
CREATE TABLE apps (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);

-- What the service last knew of each app it manages; deleted with the app, the id stays in apps.
CREATE TABLE app_statuses (
    app             text        PRIMARY KEY REFERENCES apps (name),
    job_id          text,
    spec_hash       text,
    revision        text,
    cluster         text,
    deployment_mode text,
    job_state       text,
    health          text,
    sync            text,
    message         text,
    updated_at      timestamptz NOT NULL
);

-- The intent log: a row is written before any call to Flink and updated step by step, so a restarted
-- service resumes what is still open from what Flink reports.
CREATE TABLE operations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app            text        NOT NULL,
    kind           text        NOT NULL,
    step           text,
    revision       text,
    spec_hash      text,
    old_job_id     text,
    new_job_id     text,
    trigger_id     text,
    savepoint_path text,
    restore_from   text,
    status         text        NOT NULL CHECK (status IN ('open', 'done', 'failed', 'rolled-back')),
    error          text,
    actor          text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX operations_by_app ON operations (app, id DESC);
CREATE INDEX operations_by_app_kind_time ON operations (app, kind, created_at DESC);
CREATE INDEX operations_open ON operations (id) WHERE status = 'open';

-- One row per Flink job the service started for an app.
CREATE TABLE deployments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app           text        NOT NULL,
    job_id        text        NOT NULL UNIQUE,
    revision      text,
    spec_hash     text,
    restored_from text,
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    end_state     text
);
CREATE INDEX deployments_by_app ON deployments (app, started_at DESC, id DESC);

-- Savepoints and retained checkpoints, kept after disposal (disposed_at set) as history.
CREATE TABLE savepoints (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app         text        NOT NULL,
    job_id      text,
    path        text        NOT NULL UNIQUE,
    kind        text        NOT NULL CHECK (kind IN ('savepoint', 'periodic', 'final', 'checkpoint', 'manual')),
    size_bytes  bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    disposed_at timestamptz,
    revision    text
);
CREATE INDEX savepoints_by_app ON savepoints (app, created_at DESC, id DESC);
CREATE INDEX savepoints_restorable ON savepoints (app, created_at DESC, id DESC) WHERE disposed_at IS NULL;

-- Operators' overrides of Git, shown as drift until released.
CREATE TABLE overrides (
    app          text        PRIMARY KEY,
    pinned_state text        CHECK (pinned_state IN ('running', 'suspended')),
    sync_paused  boolean     NOT NULL,
    actor        text,
    reason       text,
    since        timestamptz NOT NULL
);

CREATE TABLE app_events (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL,
    app      text        NOT NULL,
    type     text        NOT NULL,
    severity text        NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    message  text,
    revision text
);
CREATE INDEX app_events_by_app ON app_events (app, at DESC, id DESC);
CREATE INDEX app_events_by_time ON app_events (at DESC, id DESC);

-- Who did what, when and why: every mutating call of an operator or a token.
CREATE TABLE audit_events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL,
    actor   text        NOT NULL,
    action  text        NOT NULL,
    target  text,
    reason  text,
    details text
);
CREATE INDEX audit_events_by_time ON audit_events (at DESC, id DESC);

-- Revisions of the config repository the service fetched, whether they validated, and which was applied.
CREATE TABLE revisions (
    name       text        PRIMARY KEY,
    id         text        NOT NULL,
    fetched_at timestamptz NOT NULL,
    valid      boolean     NOT NULL,
    errors     text,
    applied_at timestamptz
);
CREATE INDEX revisions_by_fetch ON revisions (fetched_at DESC);
CREATE INDEX revisions_applied ON revisions (applied_at DESC) WHERE applied_at IS NOT NULL;
