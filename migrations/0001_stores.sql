-- keyforge:release 0.1.0
-- The hive's durable state (ARCHITECTURE.md §4). Ephemeral state (heartbeats, nonces, the
-- asset manifest, events) lives in the coordinator, never here.

-- Users submit and cancel jobs with API keys; only a hash of each key is stored.
CREATE TABLE api_keys (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  key_hash     text NOT NULL UNIQUE,
  role         text NOT NULL CHECK (role IN ('user', 'admin')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);

-- One row per CPU model: written at most once a day, guarded by the coordinator's write shield.
CREATE TABLE hardware_profiles (
  cpu_signature  text PRIMARY KEY,
  cpu_model      text NOT NULL,
  arch           text NOT NULL,
  cores          integer NOT NULL CHECK (cores > 0),
  caches         jsonb NOT NULL DEFAULT '{}'::jsonb,
  median_ips     double precision,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Registered agents. A node is removed by marking it, so its history stays readable.
CREATE TABLE nodes (
  id                text PRIMARY KEY,
  public_key        text NOT NULL UNIQUE,
  name              text,
  cpu_signature     text REFERENCES hardware_profiles (cpu_signature) ON DELETE SET NULL,
  cores             integer NOT NULL CHECK (cores > 0),
  calibrated_ips    double precision NOT NULL CHECK (calibrated_ips >= 0),
  rejected_results  integer NOT NULL DEFAULT 0,
  registered_at     timestamptz NOT NULL DEFAULT now(),
  removed_at        timestamptz
);

-- A job's id is the SHA-256 of its canonical content; `spec` is that content.
CREATE TABLE jobs (
  id             text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  name           text NOT NULL,
  owner_key_id   text REFERENCES api_keys (id) ON DELETE SET NULL,
  spec           jsonb NOT NULL,
  status         text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'completed', 'cancelled', 'failed')),
  priority       integer NOT NULL DEFAULT 0,
  unit_count     integer NOT NULL CHECK (unit_count > 0),
  best_result_id bigint,
  best_score     double precision,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz
);
CREATE INDEX jobs_by_status_created ON jobs (status, created_at DESC, id);
CREATE INDEX jobs_by_created ON jobs (created_at DESC, id);

-- One seeded annealing run of a job. Queued units are leased in priority order.
CREATE TABLE units (
  id               text PRIMARY KEY,
  job_id           text NOT NULL REFERENCES jobs (id),
  position         integer NOT NULL CHECK (position >= 0),
  seed             bigint NOT NULL,
  steps            bigint NOT NULL CHECK (steps > 0),
  priority         integer NOT NULL DEFAULT 0,
  status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'leased', 'done', 'failed', 'cancelled')),
  node_id          text REFERENCES nodes (id) ON DELETE SET NULL,
  attempts         integer NOT NULL DEFAULT 0,
  leased_at        timestamptz,
  lease_expires_at timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  UNIQUE (job_id, position)
);
-- The lease query reads only queued units, best priority first.
CREATE INDEX units_queue ON units (priority DESC, created_at, job_id, position)
  WHERE status = 'queued';
-- The reaper reads only leased units, soonest deadline first.
CREATE INDEX units_lease_expiry ON units (lease_expires_at) WHERE status = 'leased';
CREATE INDEX units_by_job_status ON units (job_id, status);

-- The accepted result of a unit: at most one per unit. Removing a node keeps its results.
CREATE TABLE results (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_id       text NOT NULL UNIQUE REFERENCES units (id),
  job_id        text NOT NULL REFERENCES jobs (id),
  node_id       text REFERENCES nodes (id) ON DELETE SET NULL,
  layout        text NOT NULL,
  score         double precision NOT NULL,
  steps         bigint NOT NULL CHECK (steps >= 0),
  duration_ms   integer NOT NULL CHECK (duration_ms >= 0),
  nonce         text NOT NULL,
  signature     text NOT NULL,
  accepted_at   timestamptz NOT NULL DEFAULT now()
);
-- Best results of a job: the first rows of this index.
CREATE INDEX results_by_job_score ON results (job_id, score, id);

ALTER TABLE jobs ADD CONSTRAINT jobs_best_result FOREIGN KEY (best_result_id) REFERENCES results (id);

-- Who did what: job submissions and cancellations, key and node administration.
CREATE TABLE audit_log (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  actor    text NOT NULL,
  action   text NOT NULL,
  subject  text,
  details  jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_by_at ON audit_log (at DESC, id);
CREATE INDEX audit_log_by_subject ON audit_log (subject, at DESC);
