-- keyforge:release 0.1.0
-- A key's active jobs are counted at every submission (per-key quotas).
-- keyforge:allow-lock released before the lock rules (and before CONCURRENTLY was supported)
CREATE INDEX jobs_by_owner_status ON jobs (owner_key_id, status);
