-- analytics/page-views: views and visitors per page every 30 seconds.
--
-- Runs on the local cluster with no outside system. Several INSERT statements in one
-- script run as one Flink job (the SQL runner groups them), so the source is read once
-- and feeds three sinks:
--   * the stdout of the TaskManager (print),
--   * CSV files under /tmp/tributary-sample/analytics/page-views (filesystem),
--   * a blackhole standing in for an alerting topic.
-- The file sink commits its files on checkpoints: the app sets a 10-second interval.

SET 'pipeline.name' = 'analytics/page-views';
SET 'table.local-time-zone' = 'UTC';

CREATE TABLE page_views (
  user_id  INT,
  page_id  INT,
  dwell_ms INT,
  ts AS LOCALTIMESTAMP,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (
  'connector' = 'datagen',
  -- An analytics Variable (teams/analytics/variables.yaml).
  'rows-per-second' = '${page_views_rate}',
  'fields.user_id.min' = '1',
  'fields.user_id.max' = '500',
  'fields.page_id.min' = '1',
  'fields.page_id.max' = '20',
  'fields.dwell_ms.min' = '100',
  'fields.dwell_ms.max' = '60000'
);

-- The aggregation, named once and read by every INSERT below.
CREATE TEMPORARY VIEW views_per_page AS
SELECT
  window_start,
  window_end,
  page_id,
  COUNT(*) AS `views`,
  COUNT(DISTINCT user_id) AS visitors,
  AVG(dwell_ms) AS avg_dwell_ms
FROM TABLE(TUMBLE(TABLE page_views, DESCRIPTOR(ts), INTERVAL '30' SECOND))
GROUP BY window_start, window_end, page_id;

CREATE TABLE views_per_page_print (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  page_id      INT,
  `views`        BIGINT,
  visitors     BIGINT,
  avg_dwell_ms INT
) WITH (
  'connector' = 'print',
  'print-identifier' = 'page-views'
);

CREATE TABLE views_per_page_files (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  page_id      INT,
  `views`        BIGINT,
  visitors     BIGINT,
  avg_dwell_ms INT
) WITH (
  'connector' = 'filesystem',
  -- sample_output_root is a platform Variable (platform/variables.yaml).
  'path' = '${sample_output_root}/analytics/page-views',
  'format' = 'csv',
  'sink.rolling-policy.rollover-interval' = '1 min',
  'sink.rolling-policy.check-interval' = '10 s'
);

CREATE TABLE short_visit_pages (
  window_end   TIMESTAMP(3),
  page_id      INT,
  avg_dwell_ms INT
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO views_per_page_print
SELECT window_start, window_end, page_id, `views`, visitors, avg_dwell_ms
FROM views_per_page;

INSERT INTO views_per_page_files
SELECT window_start, window_end, page_id, `views`, visitors, avg_dwell_ms
FROM views_per_page;

INSERT INTO short_visit_pages
SELECT window_end, page_id, avg_dwell_ms
FROM views_per_page
WHERE avg_dwell_ms < 25000;
