-- A savepoint's size is known only when its files can be read from here (a local directory): elsewhere
-- (HDFS, S3) it is NULL, not 0. Rows written before this column could be NULL recorded 0 for all.
ALTER TABLE savepoints ALTER COLUMN size_bytes DROP NOT NULL;
UPDATE savepoints SET size_bytes = NULL WHERE size_bytes = 0;
