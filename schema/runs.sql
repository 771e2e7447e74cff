-- Named queries of the job orchestrator (docs/queries.md).

-- name: latest_runs :many
-- The most recent runs of a job, newest first.
SELECT * FROM job_runs
WHERE job_id = :job_id
ORDER BY scheduled_at DESC, id DESC
LIMIT :n;

-- name: run_set_status :execrows
-- Moves a run to another status.
UPDATE job_runs SET status = :status WHERE id = :run_id;

-- name: reschedule_run :execrows
-- Moves a run to another time (a job has one run per time: DAL_DUPLICATE when taken).
UPDATE job_runs SET scheduled_at = :scheduled_at WHERE id = :id;

-- name: claim_next_run :one
-- Claims the oldest pending run for an agent: the run becomes running.
-- On PostgreSQL, concurrent claimers skip each other's rows (SKIP LOCKED),
-- so no run is claimed twice.
-- pg:
UPDATE job_runs SET status = 'running', started_at = :now, agent_id = :agent
WHERE id = (SELECT id FROM job_runs WHERE status = 'pending'
            ORDER BY scheduled_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id, job_id, status, started_at
-- sqlite:
UPDATE job_runs SET status = 'running', started_at = :now, agent_id = :agent
WHERE id = (SELECT id FROM job_runs WHERE status = 'pending'
            ORDER BY scheduled_at, id LIMIT 1)
RETURNING id, job_id, status, started_at

-- name: runs_per_status :many
-- How many runs are in each status.
SELECT status, count(*) AS runs FROM job_runs GROUP BY status ORDER BY status;

-- name: runs_with_jobs :many
-- Runs with their job's schedule; runs of jobs without an agent too.
SELECT r.id, r.job_id, j.schedule, a.name AS agent_name
FROM job_runs r
JOIN jobs j ON j.id = r.job_id
LEFT JOIN agents a ON a.id = r.agent_id
WHERE r.scheduled_at >= :since
ORDER BY r.id;

-- name: find_runs :many
-- Runs of a job, optionally of one status only (NULL: every status).
-- param: status job_runs.status null
SELECT id, status, attempt FROM job_runs
WHERE job_id = :job_id AND (:status IS NULL OR status = :status)
ORDER BY id;

-- name: runs_by_ids :many
-- The runs whose ids are in the list (an empty list matches none).
SELECT id, job_id, status FROM job_runs WHERE id IN (:ids) ORDER BY id;

-- name: runs_in_statuses :many
-- Runs whose status is one of the list.
SELECT id, status FROM job_runs WHERE status IN (:statuses) ORDER BY id;

-- name: finish_run :exec
-- Records the end of a run.
UPDATE job_runs SET status = :status, finished_at = :finished_at, output = :output, error = :error
WHERE id = :id;

-- name: count_runs_since :one
SELECT count(*) AS n FROM job_runs WHERE scheduled_at BETWEEN :from_time AND :to_time;

-- name: add_run :one
-- Schedules a run of a job.
INSERT INTO job_runs (job_id, scheduled_at) VALUES (:job_id, :scheduled_at)
RETURNING *;

-- name: delete_old_runs :execrows
DELETE FROM job_runs WHERE finished_at < :before;

-- name: active_runs_of_job :many
-- The unfinished runs of a job, oldest first (the view's own row type).
SELECT id, job_id, job_priority, timeout_ms, status, scheduled_at, agent_name
FROM active_runs WHERE job_id = :job_id ORDER BY scheduled_at;

-- name: set_job_enabled :execrows
-- Turns a job on or off; the database refreshes its updated_at (auto_update).
UPDATE jobs SET enabled = :enabled WHERE id = :id;

-- name: projects_by_budget :many
-- Projects with a budget above :min, largest first (decimal order on both engines).
SELECT slug, budget FROM projects WHERE budget > :min ORDER BY budget DESC, slug;

-- name: budget_stats :one
-- The largest, smallest and total budget, and how many budgets are above :min.
-- column: top decimal null
-- column: bottom decimal null
-- column: total decimal null
-- column: above int64 null
SELECT max(budget) AS top, min(budget) AS bottom, sum(budget) AS total,
       sum(CASE WHEN budget > :min THEN 1 ELSE 0 END) AS above
FROM projects;
