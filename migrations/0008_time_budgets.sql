-- keyforge:release 0.3.0
-- Jobs with a time budget, convergence, and what ended a job's search.

-- A time-budgeted job starts with no units: the hive cuts them as nodes lease it.
ALTER TABLE jobs DROP CONSTRAINT jobs_unit_count_check;
ALTER TABLE jobs ADD COLUMN time_budget_seconds integer;
-- End the search when its best has not improved for this long.
ALTER TABLE jobs ADD COLUMN converge_seconds integer;
-- When the first unit was leased: a time budget counts from here.
ALTER TABLE jobs ADD COLUMN started_at timestamptz;
-- When a time-budgeted job stops leasing (started_at plus its budget).
ALTER TABLE jobs ADD COLUMN ends_at timestamptz;
-- What ended the search: 'units' (every unit in), 'time' or 'convergence'; NULL until then.
ALTER TABLE jobs ADD COLUMN ended_by text;

-- A unit of a time-budgeted job ends this long after its lease (or at its steps).
ALTER TABLE units ADD COLUMN time_limit_seconds double precision;

-- Completes a job whose search is over and whose units are all finished: completed when at
-- least one is done, failed otherwise. A time-budgeted job's search is over once its time is
-- spent or it converged (until then a node may lease its next unit). Returns the new status,
-- or NULL when the job goes on (or was settled before). The job's row is locked first and the
-- units are read after that, with a fresh snapshot: of two transactions finishing a job's last
-- two units at once, the one that gets the lock second sees the other's unit as finished, so a
-- job never stays running with no work left.
CREATE OR REPLACE FUNCTION settle_job(settled_job text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  new_status text;
BEGIN
  PERFORM 1 FROM jobs WHERE id = settled_job FOR UPDATE;
  UPDATE jobs SET
    status = CASE WHEN EXISTS (SELECT 1 FROM units WHERE job_id = settled_job AND status = 'done')
                  THEN 'completed' ELSE 'failed' END,
    ended_by = COALESCE(ended_by, CASE WHEN time_budget_seconds IS NULL THEN 'units' ELSE 'time' END),
    finished_at = now(), updated_at = now()
  WHERE id = settled_job AND status IN ('queued', 'running')
    AND NOT EXISTS (SELECT 1 FROM units WHERE job_id = settled_job AND status IN ('queued', 'leased'))
    AND (time_budget_seconds IS NULL OR ended_by IS NOT NULL OR ends_at <= now())
  RETURNING status INTO new_status;
  RETURN new_status;
END
$$;
