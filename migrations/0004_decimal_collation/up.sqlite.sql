-- dalc migration 0004_decimal_collation (up, SQLite)
-- run by dalc with PRAGMA foreign_keys=OFF and a PRAGMA foreign_key_check before COMMIT

DROP VIEW IF EXISTS "active_runs";
-- rebuild of projects (https://sqlite.org/lang_altertable.html#otheralter)
CREATE TABLE "projects__dalc_new" (
    "id"         INTEGER PRIMARY KEY NOT NULL,
    "slug"       TEXT    NOT NULL CHECK (length("slug") <= 63) CHECK (slug <> ''),
    "name"       TEXT    NOT NULL,
    "budget"     TEXT    COLLATE dal_decimal DEFAULT '0.00',
    "started_on" TEXT    NOT NULL DEFAULT (date('now')) CHECK ("started_on" GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    "archived"   INTEGER NOT NULL DEFAULT 0 CHECK ("archived" IN (0, 1)),
    UNIQUE ("slug")
) STRICT;
INSERT INTO "projects__dalc_new" ("id", "slug", "name", "budget", "started_on", "archived") SELECT "id", "slug", "name", dal_decimal("budget", 20, 2), "started_on", "archived" FROM "projects";
DROP TABLE "projects";
ALTER TABLE "projects__dalc_new" RENAME TO "projects";
CREATE VIEW "active_runs" AS
SELECT r.id, r.job_id, j.priority AS job_priority, j.timeout_s * 1000 AS timeout_ms,
       r.status, r.scheduled_at, a.name AS agent_name
FROM job_runs r
JOIN jobs j ON j.id = r.job_id
LEFT JOIN agents a ON a.id = r.agent_id
WHERE r.status IN ('pending', 'running');
