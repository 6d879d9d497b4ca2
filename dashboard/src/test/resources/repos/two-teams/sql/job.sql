CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1');
CREATE TABLE sink (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${output_root}/x', 'format' = 'csv');
INSERT INTO sink SELECT id FROM numbers;
