-- Alerts: one row per incident (an app's or a cluster's event, from firing until resolved), and one
-- row per attempt to deliver a notice about it to a channel. At most one open alert per subject
-- and event: that is what keeps a failing app from sending a storm.

CREATE TABLE alerts (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- what it is about: an app (team/name), a cluster (cluster:<name>) or the platform (platform:source)
    subject          text        NOT NULL,
    event            text        NOT NULL,
    severity         text        NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    message          text        NOT NULL,
    opened_at        timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    last_notified_at timestamptz,
    -- how often the condition was reported again while open
    repeats          integer     NOT NULL DEFAULT 0,
    resolved_at      timestamptz,
    resolved_message text,
    revision         text
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (subject, event) WHERE resolved_at IS NULL;
CREATE INDEX alerts_by_time ON alerts (opened_at DESC, id DESC);
CREATE INDEX alerts_by_subject ON alerts (subject, opened_at DESC, id DESC);

CREATE TABLE alert_deliveries (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- null for a test alert
    alert_id   bigint      REFERENCES alerts (id),
    -- the channel as team/name, or its name when platform-wide
    channel    text        NOT NULL,
    -- firing | repeat | resolved | digest | test
    kind       text        NOT NULL,
    attempt    integer     NOT NULL,
    at         timestamptz NOT NULL,
    ok         boolean     NOT NULL,
    -- what the receiver said (HTTP status and body start, SMTP reply) or why it could not be reached
    detail     text
);
CREATE INDEX alert_deliveries_by_alert ON alert_deliveries (alert_id, at DESC);
CREATE INDEX alert_deliveries_by_channel ON alert_deliveries (channel, at DESC, id DESC);
