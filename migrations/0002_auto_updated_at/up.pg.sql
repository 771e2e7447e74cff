-- dalc migration 0002_auto_updated_at (up, PostgreSQL)

ALTER TABLE "jobs" ADD COLUMN "updated_at" timestamptz NOT NULL DEFAULT now();
CREATE FUNCTION "jobs_updated_at_auto_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW."updated_at" IS NOT DISTINCT FROM OLD."updated_at" THEN
        NEW."updated_at" := now();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER "jobs_updated_at_auto_update" BEFORE UPDATE ON "jobs" FOR EACH ROW EXECUTE FUNCTION "jobs_updated_at_auto_update"();
COMMENT ON COLUMN "jobs"."updated_at" IS 'Set by the database on every change of the row.';
