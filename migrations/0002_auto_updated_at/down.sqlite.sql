-- dalc migration 0002_auto_updated_at (down, SQLite)
-- destructive: drop column jobs.updated_at
-- run by dalc with PRAGMA foreign_keys=OFF and a PRAGMA foreign_key_check before COMMIT

DROP TRIGGER "jobs_updated_at_auto_update";
-- destructive: drop column jobs.updated_at
ALTER TABLE "jobs" DROP COLUMN "updated_at";
