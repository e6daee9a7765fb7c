-- keyforge:release 0.1.0
-- Functions the hive calls so that finishing units costs one round trip.

-- Completes a job whose units are all finished: completed when at least one is done, failed
-- otherwise. Returns the new status, or NULL when the job goes on (or was settled before).
-- The job's row is locked first and the units are read after that, with a fresh snapshot:
-- of two transactions finishing a job's last two units at once, the one that gets the lock
-- second sees the other's unit as finished, so a job never stays running with no work left.
CREATE FUNCTION settle_job(settled_job text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  new_status text;
BEGIN
  PERFORM 1 FROM jobs WHERE id = settled_job FOR UPDATE;
  UPDATE jobs SET
    status = CASE WHEN EXISTS (SELECT 1 FROM units WHERE job_id = settled_job AND status = 'done')
                  THEN 'completed' ELSE 'failed' END,
    finished_at = now(), updated_at = now()
  WHERE id = settled_job AND status IN ('queued', 'running')
    AND NOT EXISTS (SELECT 1 FROM units WHERE job_id = settled_job AND status IN ('queued', 'leased'))
  RETURNING status INTO new_status;
  RETURN new_status;
END
$$;

-- Accepts a batch of results, each at most once per unit, in one transaction. `batch` is a
-- JSON array of {unitId, nodeId, layout, score, steps, durationMs, nonce, signature}. One row
-- comes back per element, in order (`item` is its index), with its outcome:
--   accepted          stored now; the unit is done; new_best tells whether the job's best moved
--   repeated          the same node's result was stored before: that stored result
--   already_accepted  another node's result was stored before
--   lease_not_held    the unit is not leased to the node (unit_status and unit_node_id say why)
--   unit_not_found    there is no such unit
-- then one row per job the batch finished (outcome 'job_finished', item NULL, job_status).
-- Units are locked before jobs, in id order, as the lease statement and the reaper do.
CREATE FUNCTION accept_results(batch jsonb)
RETURNS TABLE (
  item integer, outcome text, unit_status text, unit_node_id text, new_best boolean,
  job_status text, result_id bigint, job_id text, node_id text, layout text,
  score double precision, steps bigint, duration_ms integer, nonce text, signature text,
  accepted_at timestamptz
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  entry record;
  unit record;
  stored results%ROWTYPE;
  unit_ids text[];
  touched text[] := '{}';
  finished_job text;
BEGIN
  unit_ids := ARRAY(SELECT e->>'unitId' FROM jsonb_array_elements(batch) AS e);
  PERFORM 1 FROM units WHERE id = ANY (unit_ids) ORDER BY id FOR UPDATE;
  PERFORM 1 FROM jobs
    WHERE id = ANY (ARRAY(SELECT u.job_id FROM units AS u WHERE u.id = ANY (unit_ids)))
    ORDER BY id FOR UPDATE;
  FOR entry IN
    SELECT (position - 1)::integer AS i, value AS r
    FROM jsonb_array_elements(batch) WITH ORDINALITY AS elements (value, position)
  LOOP
    item := entry.i;
    outcome := NULL; unit_status := NULL; unit_node_id := NULL; new_best := NULL;
    job_status := NULL; stored := NULL;
    SELECT u.job_id, u.status, u.node_id INTO unit FROM units AS u WHERE u.id = entry.r->>'unitId';
    IF NOT FOUND THEN
      outcome := 'unit_not_found';
    ELSE
      SELECT * INTO stored FROM results AS r WHERE r.unit_id = entry.r->>'unitId';
      IF FOUND THEN
        outcome := CASE WHEN stored.node_id IS NOT DISTINCT FROM entry.r->>'nodeId'
                        THEN 'repeated' ELSE 'already_accepted' END;
        IF outcome = 'already_accepted' THEN stored := NULL; END IF;
      ELSIF unit.status <> 'leased' OR unit.node_id IS DISTINCT FROM entry.r->>'nodeId' THEN
        outcome := 'lease_not_held';
        unit_status := unit.status;
        unit_node_id := unit.node_id;
      ELSE
        INSERT INTO results (unit_id, job_id, node_id, layout, score, steps, duration_ms, nonce, signature)
        VALUES (entry.r->>'unitId', unit.job_id, entry.r->>'nodeId', entry.r->>'layout',
                (entry.r->>'score')::double precision, (entry.r->>'steps')::bigint,
                (entry.r->>'durationMs')::integer, entry.r->>'nonce', entry.r->>'signature')
        RETURNING * INTO stored;
        UPDATE units SET status = 'done', finished_at = now(), lease_expires_at = NULL
          WHERE id = stored.unit_id;
        UPDATE jobs SET best_result_id = stored.id, best_score = stored.score, updated_at = now()
          WHERE id = stored.job_id AND (best_score IS NULL OR best_score > stored.score);
        new_best := FOUND;
        touched := array_append(touched, stored.job_id);
        outcome := 'accepted';
      END IF;
    END IF;
    result_id := stored.id; job_id := stored.job_id; node_id := stored.node_id;
    layout := stored.layout; score := stored.score; steps := stored.steps;
    duration_ms := stored.duration_ms; nonce := stored.nonce; signature := stored.signature;
    accepted_at := stored.accepted_at;
    RETURN NEXT;
  END LOOP;
  FOR finished_job IN SELECT DISTINCT t FROM unnest(touched) AS t ORDER BY t LOOP
    job_status := settle_job(finished_job);
    IF job_status IS NOT NULL THEN
      item := NULL; outcome := 'job_finished'; unit_status := NULL; unit_node_id := NULL;
      new_best := NULL; result_id := NULL; job_id := finished_job; node_id := NULL;
      layout := NULL; score := NULL; steps := NULL; duration_ms := NULL; nonce := NULL;
      signature := NULL; accepted_at := NULL;
      RETURN NEXT;
    END IF;
  END LOOP;
END
$$;
