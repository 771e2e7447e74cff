-- dalc migration 0003_active_runs_view (up, PostgreSQL)

CREATE VIEW "active_runs" AS
SELECT r.id, r.job_id, j.priority AS job_priority, j.timeout_s * 1000 AS timeout_ms,
       r.status, r.scheduled_at, a.name AS agent_name
FROM job_runs r
JOIN jobs j ON j.id = r.job_id
LEFT JOIN agents a ON a.id = r.agent_id
WHERE r.status IN ('pending', 'running');
COMMENT ON VIEW "active_runs" IS 'Runs that have not finished, with their job''s priority and their agent''s name, if any.';
