-- dalc migration 0003_active_runs_view (down, PostgreSQL)

DROP VIEW IF EXISTS "active_runs";
