-- keyforge:release 0.1.0
-- Join tokens: a volunteer's agent registers with one instead of HIVE_SECRET. An admin sets how
-- many new nodes a token may enrol and until when; only a hash of the token is stored. A use is
-- taken by one UPDATE guarded by these columns, so two nodes racing for the last use cannot
-- both win, and the CHECK holds the count to the limit whatever the code does.
CREATE TABLE join_tokens (
  id          text PRIMARY KEY,
  name        text,
  token_hash  text NOT NULL UNIQUE,
  max_uses    integer NOT NULL CHECK (max_uses > 0),
  uses        integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
