-- A key's active jobs are counted at every submission (per-key quotas).
CREATE INDEX jobs_by_owner_status ON jobs (owner_key_id, status);
