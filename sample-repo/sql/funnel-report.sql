-- analytics/funnel-report: how many sessions reached each checkout step so far today,
-- refreshed every minute (cumulating windows of one day, in one-minute steps).
--
-- Runs as its own Kubernetes application cluster on Flink 2 (teams/analytics/apps/).
-- The same SQL works on Flink 1.20: the validator compiles it with the planner of the
-- Flink version the app names.

SET 'pipeline.name' = 'analytics/funnel-report';
SET 'table.local-time-zone' = 'UTC';

CREATE TABLE checkout_events (
  session_id BIGINT,
  step_code  INT,
  step AS CASE step_code
    WHEN 0 THEN '1-cart'
    WHEN 1 THEN '2-address'
    WHEN 2 THEN '3-payment'
    ELSE '4-confirmed'
  END,
  ts AS LOCALTIMESTAMP,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '${page_views_rate}',
  'fields.session_id.min' = '1',
  'fields.session_id.max' = '100000',
  'fields.step_code.min' = '0',
  'fields.step_code.max' = '3'
);

CREATE TABLE funnel (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  step         STRING,
  sessions     BIGINT
) WITH (
  'connector' = 'print',
  'print-identifier' = 'funnel'
);

INSERT INTO funnel
SELECT window_start, window_end, step, COUNT(DISTINCT session_id) AS sessions
FROM TABLE(CUMULATE(TABLE checkout_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' DAY))
GROUP BY window_start, window_end, step;
