-- dalc migration 0002_auto_updated_at (down, PostgreSQL)
-- destructive: drop column jobs.updated_at

DROP TRIGGER "jobs_updated_at_auto_update" ON "jobs";
DROP FUNCTION "jobs_updated_at_auto_update"();
-- destructive: drop column jobs.updated_at
ALTER TABLE "jobs" DROP COLUMN "updated_at";
