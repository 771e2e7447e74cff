-- dalc migration 0002_auto_updated_at (up, SQLite)
-- run by dalc with PRAGMA foreign_keys=OFF and a PRAGMA foreign_key_check before COMMIT

-- rebuild of jobs (https://sqlite.org/lang_altertable.html#otheralter)
CREATE TABLE "jobs__dalc_new" (
    "id"          TEXT    NOT NULL CHECK (length("id") <= 200),
    "project_id"  INTEGER NOT NULL REFERENCES "projects" ("id") ON DELETE CASCADE,
    "parent_id"   TEXT    REFERENCES "jobs" ("id") ON DELETE SET NULL,
    "group"       TEXT,
    "priority"    INTEGER NOT NULL DEFAULT 0 CHECK ("priority" BETWEEN -32768 AND 32767),
    "timeout_s"   INTEGER NOT NULL DEFAULT 3600 CHECK ("timeout_s" BETWEEN -2147483648 AND 2147483647) CHECK (timeout_s > 0),
    "weight"      REAL    NOT NULL DEFAULT 1.0,
    "schedule"    TEXT,
    "enabled"     INTEGER NOT NULL DEFAULT 1 CHECK ("enabled" IN (0, 1)),
    "owner_agent" TEXT    CHECK (length("owner_agent") = 36 AND "owner_agent" = lower("owner_agent")) REFERENCES "agents" ("id") ON DELETE SET NULL,
    "created_at"  INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000),
    "updated_at"  INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000),
    PRIMARY KEY ("id")
) STRICT;
INSERT INTO "jobs__dalc_new" ("id", "project_id", "parent_id", "group", "priority", "timeout_s", "weight", "schedule", "enabled", "owner_agent", "created_at") SELECT "id", "project_id", "parent_id", "group", "priority", "timeout_s", "weight", "schedule", "enabled", "owner_agent", "created_at" FROM "jobs";
DROP TABLE "jobs";
ALTER TABLE "jobs__dalc_new" RENAME TO "jobs";
CREATE INDEX "idx_jobs_project_id_priority" ON "jobs" ("project_id", "priority");
CREATE INDEX "idx_jobs_schedule" ON "jobs" ("schedule") WHERE schedule IS NOT NULL AND enabled;
CREATE INDEX "idx_jobs_parent_id" ON "jobs" ("parent_id");
CREATE INDEX "idx_jobs_owner_agent" ON "jobs" ("owner_agent");
CREATE TRIGGER "jobs_updated_at_auto_update" AFTER UPDATE ON "jobs" FOR EACH ROW WHEN NEW."updated_at" IS OLD."updated_at"
BEGIN
    UPDATE "jobs" SET "updated_at" = (CAST(strftime('%s','now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000)
    WHERE "id" = NEW."id" AND "updated_at" IS NOT (CAST(strftime('%s','now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000);
END;
