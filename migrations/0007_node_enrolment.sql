-- keyforge:release 0.1.0
-- What each node enrolled with: 'join' (a join token) or 'secret:<fingerprint>' (one generation
-- of HIVE_SECRET, by a one-way fingerprint, never the secret). Its tokens carry the same, and
-- stop working once that secret is retired. Nodes registered before have none: their next
-- registration records it.
ALTER TABLE nodes ADD COLUMN enrolment text;
