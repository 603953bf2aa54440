-- Published versions are the honest history of a dataset: they may be added, never changed or removed.
CREATE FUNCTION reject_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'versions are immutable (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER dataset_versions_immutable BEFORE UPDATE OR DELETE ON dataset_versions
  FOR EACH ROW EXECUTE FUNCTION reject_version_change();
--> statement-breakpoint
CREATE TRIGGER version_resources_immutable BEFORE UPDATE OR DELETE ON version_resources
  FOR EACH ROW EXECUTE FUNCTION reject_version_change();
