-- payments/orders-revenue: revenue per currency in 10-second tumbling windows.
--
-- Runs on the local cluster with no outside system: the datagen connector invents the
-- orders, and the print connector writes each window to the stdout of the TaskManager
-- (its log in the Flink web UI).
--
-- Tributary replaces variable references in this file before Flink sees it: the rate
-- below is the payments Variable orders_rate (teams/payments/variables.yaml).

-- SET applies a Flink option to this job only. The SQL runner applies it before the
-- statements that follow.
SET 'pipeline.name' = 'payments/orders-revenue';

CREATE TABLE orders (
  order_id      BIGINT,
  customer_id   INT,
  currency_code INT,
  amount        DECIMAL(10, 2),
  -- A readable currency from the random code.
  currency AS CASE currency_code WHEN 0 THEN 'EUR' WHEN 1 THEN 'USD' ELSE 'GBP' END,
  -- Event time is the moment a row is generated. Watermarks trail it by one second.
  ts AS LOCALTIMESTAMP,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '${orders_rate}',
  'fields.customer_id.min' = '1',
  'fields.customer_id.max' = '1000',
  'fields.currency_code.min' = '0',
  'fields.currency_code.max' = '2',
  'fields.amount.min' = '1',
  'fields.amount.max' = '500'
);

CREATE TABLE revenue_per_currency (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  currency     STRING,
  order_count  BIGINT,
  customers    BIGINT,
  revenue      DECIMAL(38, 2)
) WITH (
  'connector' = 'print',
  'print-identifier' = 'revenue'
);

INSERT INTO revenue_per_currency
SELECT
  window_start,
  window_end,
  currency,
  COUNT(*) AS order_count,
  COUNT(DISTINCT customer_id) AS customers,
  SUM(amount) AS revenue
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, currency;
