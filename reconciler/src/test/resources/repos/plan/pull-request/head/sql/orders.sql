CREATE TABLE orders (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '${orders_rate}');
CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT id FROM orders WHERE id > 0;
