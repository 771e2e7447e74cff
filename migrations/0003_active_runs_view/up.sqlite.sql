-- dalc migration 0003_active_runs_view (up, SQLite)
-- run by dalc with PRAGMA foreign_keys=OFF and a PRAGMA foreign_key_check before COMMIT

CREATE VIEW "active_runs" AS
SELECT r.id, r.job_id, j.priority AS job_priority, j.timeout_s * 1000 AS timeout_ms,
       r.status, r.scheduled_at, a.name AS agent_name
FROM job_runs r
JOIN jobs j ON j.id = r.job_id
LEFT JOIN agents a ON a.id = r.agent_id
WHERE r.status IN ('pending', 'running');
