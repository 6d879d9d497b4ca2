-- The cluster an operation acts on: a deploy, resume or restart interrupted before Flink answered is
-- finished where it was submitted, even if Git has put the app on another cluster since. Null on rows
-- written before.
ALTER TABLE operations ADD COLUMN cluster text;
