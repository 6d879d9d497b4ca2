-- The SHA-256 of the jar a Project built that the job was started with (jar.project apps only), so the
-- deployment history says which build each job ran, not only which config revision.
ALTER TABLE deployments ADD COLUMN jar_sha256 text;
