-- dalc migration 0003_active_runs_view (down, SQLite)
-- run by dalc with PRAGMA foreign_keys=OFF and a PRAGMA foreign_key_check before COMMIT

DROP VIEW IF EXISTS "active_runs";
