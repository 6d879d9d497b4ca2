-- payments/ledger-export: every captured or refunded payment as a JSON line, in one
-- folder per day, for the finance team.
--
-- Runs per job on YARN (teams/payments/apps.yaml). The datagen source stands in for the
-- payments topic. The json format comes from flink-json, listed under job.dependencies.
--
-- Tributary replaces dollar-brace references everywhere in this file, comments included.
-- To keep one as written, double the dollar sign: $${not_a_variable} reaches Flink with
-- a single dollar sign and is not looked up.

SET 'pipeline.name' = 'payments/ledger-export';
-- Day folders and timestamps in UTC, whatever the time zone of the YARN hosts.
SET 'table.local-time-zone' = 'UTC';

CREATE TABLE payments (
  payment_id  BIGINT,
  merchant_id INT,
  amount      DECIMAL(12, 2),
  status_code INT,
  status AS CASE status_code WHEN 0 THEN 'AUTHORIZED' WHEN 1 THEN 'CAPTURED' ELSE 'REFUNDED' END,
  ts AS LOCALTIMESTAMP
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '${orders_rate}',
  'fields.merchant_id.min' = '1',
  'fields.merchant_id.max' = '50',
  'fields.amount.min' = '1',
  'fields.amount.max' = '2000',
  'fields.status_code.min' = '0',
  'fields.status_code.max' = '2'
);

CREATE TABLE ledger (
  payment_id  BIGINT,
  merchant_id INT,
  amount      DECIMAL(12, 2),
  status      STRING,
  booked_at   TIMESTAMP(3),
  dt          STRING
) PARTITIONED BY (dt) WITH (
  'connector' = 'filesystem',
  'path' = '${ledger_dir}',
  'format' = 'json',
  -- Files are committed on checkpoints. A _SUCCESS file marks a finished day.
  'sink.partition-commit.policy.kind' = 'success-file'
);

INSERT INTO ledger
SELECT payment_id, merchant_id, amount, status, ts, DATE_FORMAT(ts, 'yyyy-MM-dd')
FROM payments
WHERE status_code <> 0;
