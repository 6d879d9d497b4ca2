-- How an operator's stop goes: draining the sources first, and whether the job may be cancelled when
-- its savepoint fails (a job restarting over and over cannot take one). Kept with the pin, so a stop
-- that waits for another operation of the app, or for a standby to lead, is done the way it was asked.
ALTER TABLE overrides ADD COLUMN drain boolean NOT NULL DEFAULT false;
ALTER TABLE overrides ADD COLUMN cancel_if_savepoint_fails boolean NOT NULL DEFAULT false;
