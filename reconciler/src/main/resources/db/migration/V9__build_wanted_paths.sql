-- The artifact paths a build was asked to produce (what the apps named when it was queued). A build that
-- failed for one set of paths is not retried on its own, but a new path (an app's jar.project.artifact
-- changed in Git) is built for without waiting for a person. NULL for builds recorded before this column.
ALTER TABLE builds ADD COLUMN wanted text[];
