-- dalc migration 0001_init (up, SQLite)
-- run by dalc with PRAGMA foreign_keys=OFF and a PRAGMA foreign_key_check before COMMIT

CREATE TABLE "projects" (
    "id" INTEGER PRIMARY KEY NOT NULL,
    "slug" TEXT NOT NULL CHECK (length("slug") <= 63) CHECK (slug <> ''),
    "name" TEXT NOT NULL,
    "budget" TEXT DEFAULT '0.00',
    "started_on" TEXT NOT NULL DEFAULT (date('now')) CHECK ("started_on" GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    "archived" INTEGER NOT NULL DEFAULT 0 CHECK ("archived" IN (0, 1)),
    UNIQUE ("slug")
) STRICT;
CREATE TABLE "tags" (
    "id" INTEGER PRIMARY KEY NOT NULL CHECK ("id" BETWEEN -2147483648 AND 2147483647),
    "name" TEXT NOT NULL CHECK (length("name") <= 50),
    "color" TEXT CHECK (length(color) = 7),
    UNIQUE ("name")
) STRICT;
CREATE TABLE "agents" (
    "id" TEXT NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))) CHECK (length("id") = 36 AND "id" = lower("id")),
    "name" TEXT NOT NULL CHECK (length("name") <= 100),
    "kind" TEXT NOT NULL DEFAULT 'worker' CHECK ("kind" IN ('worker', 'supervisor', 'scheduler')),
    "capacity" INTEGER NOT NULL DEFAULT 1 CHECK ("capacity" BETWEEN -32768 AND 32767) CHECK (capacity BETWEEN 1 AND 256),
    "active" INTEGER NOT NULL DEFAULT 1 CHECK ("active" IN (0, 1)),
    "labels" TEXT CHECK ("labels" IS NULL OR json_valid("labels")),
    "current_run_id" INTEGER REFERENCES "job_runs" ("id") ON DELETE SET NULL,
    "last_seen_at" INTEGER,
    "created_at" INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000),
    PRIMARY KEY ("id"),
    UNIQUE ("name")
) STRICT;
CREATE INDEX "idx_agents_current_run_id" ON "agents" ("current_run_id");
CREATE TABLE "jobs" (
    "id" TEXT NOT NULL CHECK (length("id") <= 200),
    "project_id" INTEGER NOT NULL REFERENCES "projects" ("id") ON DELETE CASCADE,
    "parent_id" TEXT REFERENCES "jobs" ("id") ON DELETE SET NULL,
    "group" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 0 CHECK ("priority" BETWEEN -32768 AND 32767),
    "timeout_s" INTEGER NOT NULL DEFAULT 3600 CHECK ("timeout_s" BETWEEN -2147483648 AND 2147483647) CHECK (timeout_s > 0),
    "weight" REAL NOT NULL DEFAULT 1.0,
    "schedule" TEXT,
    "enabled" INTEGER NOT NULL DEFAULT 1 CHECK ("enabled" IN (0, 1)),
    "owner_agent" TEXT CHECK (length("owner_agent") = 36 AND "owner_agent" = lower("owner_agent")) REFERENCES "agents" ("id") ON DELETE SET NULL,
    "created_at" INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000),
    PRIMARY KEY ("id")
) STRICT;
CREATE INDEX "idx_jobs_project_id_priority" ON "jobs" ("project_id", "priority");
CREATE INDEX "idx_jobs_schedule" ON "jobs" ("schedule") WHERE schedule IS NOT NULL AND enabled;
CREATE INDEX "idx_jobs_parent_id" ON "jobs" ("parent_id");
CREATE INDEX "idx_jobs_owner_agent" ON "jobs" ("owner_agent");
CREATE TABLE "job_runs" (
    "id" INTEGER PRIMARY KEY NOT NULL,
    "job_id" TEXT NOT NULL REFERENCES "jobs" ("id") ON DELETE CASCADE,
    "run_key" TEXT NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))) CHECK (length("run_key") = 36 AND "run_key" = lower("run_key")),
    "scheduled_at" INTEGER NOT NULL,
    "started_at" INTEGER,
    "finished_at" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    "attempt" INTEGER NOT NULL DEFAULT 1 CHECK ("attempt" BETWEEN -2147483648 AND 2147483647) CHECK (attempt >= 1),
    "agent_id" TEXT CHECK (length("agent_id") = 36 AND "agent_id" = lower("agent_id")) REFERENCES "agents" ("id") ON DELETE SET NULL,
    "output" TEXT CHECK ("output" IS NULL OR json_valid("output")),
    "error" TEXT CHECK (length("error") <= 4000),
    UNIQUE ("run_key"),
    UNIQUE ("job_id", "scheduled_at"),
    CHECK (finished_at IS NULL OR started_at IS NOT NULL)
) STRICT;
CREATE INDEX "idx_job_runs_status_scheduled_at" ON "job_runs" ("status", "scheduled_at");
CREATE INDEX "idx_job_runs_started_at" ON "job_runs" ("started_at") WHERE started_at IS NOT NULL;
CREATE INDEX "idx_job_runs_agent_id" ON "job_runs" ("agent_id");
CREATE TABLE "artifacts" (
    "run_id" INTEGER NOT NULL REFERENCES "job_runs" ("id") ON DELETE CASCADE,
    "path" TEXT NOT NULL,
    "size" INTEGER NOT NULL CHECK (size >= 0),
    "sha256" BLOB NOT NULL,
    "content_type" TEXT NOT NULL DEFAULT 'application/octet-stream',
    "created_at" INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000),
    PRIMARY KEY ("run_id", "path")
) STRICT;
CREATE TABLE "events" (
    "id" INTEGER PRIMARY KEY NOT NULL,
    "run_id" INTEGER NOT NULL REFERENCES "job_runs" ("id") ON DELETE CASCADE,
    "seq" INTEGER NOT NULL CHECK ("seq" BETWEEN -2147483648 AND 2147483647) CHECK (seq >= 0),
    "level" TEXT NOT NULL DEFAULT 'info' CHECK ("level" IN ('debug', 'info', 'warn', 'error')),
    "message" TEXT NOT NULL,
    "payload" BLOB,
    "at" INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000),
    UNIQUE ("run_id", "seq")
) STRICT;
CREATE TABLE "job_tags" (
    "job_id" TEXT NOT NULL REFERENCES "jobs" ("id") ON DELETE CASCADE,
    "tag_id" INTEGER NOT NULL CHECK ("tag_id" BETWEEN -2147483648 AND 2147483647) REFERENCES "tags" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    "order" INTEGER NOT NULL DEFAULT 0 CHECK ("order" BETWEEN -32768 AND 32767),
    "added_at" INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER) * 1000000 + CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000),
    PRIMARY KEY ("job_id", "tag_id")
) STRICT;
CREATE INDEX "idx_job_tags_tag_id" ON "job_tags" ("tag_id");
CREATE TABLE "metrics" (
    "run_id" INTEGER NOT NULL REFERENCES "job_runs" ("id") ON DELETE CASCADE,
    "name" TEXT NOT NULL,
    "recorded_on" TEXT NOT NULL CHECK ("recorded_on" GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    "value" REAL NOT NULL,
    "unit" TEXT,
    PRIMARY KEY ("run_id", "name", "recorded_on")
) STRICT;
CREATE INDEX "idx_metrics_name_recorded_on" ON "metrics" ("name", "recorded_on");
