-- An operator's stop may allow cancelling the job when its savepoint fails (a job restarting over and
-- over cannot take one). Kept with the pin, so a stop that waits for another operation of the app,
-- or for a standby to lead, is done the way the operator asked.
ALTER TABLE overrides ADD COLUMN cancel_if_savepoint_fails boolean NOT NULL DEFAULT false;
