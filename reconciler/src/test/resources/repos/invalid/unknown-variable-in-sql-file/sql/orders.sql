CREATE TABLE orders (id BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE sink (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${output_root}/orders');
INSERT INTO sink SELECT id FROM orders;
