-- keyforge:release 0.1.0
-- A result states the steps its search made (results.steps). One that claims fewer than its
-- unit asked for is accepted, for its layout is re-scored like any other, but marked, so that
-- a node skimping on the work can be found. The mark is set as the row is written, by the
-- database, so every release's result acceptance sets it.
ALTER TABLE results ADD COLUMN steps_short boolean NOT NULL DEFAULT false;

CREATE FUNCTION mark_short_result() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.steps_short := coalesce(NEW.steps < (SELECT steps FROM units WHERE id = NEW.unit_id), false);
  RETURN NEW;
END
$$;

CREATE TRIGGER results_steps_short BEFORE INSERT ON results
  FOR EACH ROW EXECUTE FUNCTION mark_short_result();
