-- dalc migration 0001_init (down, PostgreSQL)
-- destructive: drop table metrics; drop table job_tags; drop table events; drop table artifacts; drop table job_runs; drop table jobs; drop table agents; drop table tags; drop table projects

ALTER TABLE "agents" DROP CONSTRAINT "agents_current_run_id_fkey";
-- destructive: drop table metrics
DROP TABLE "metrics";
-- destructive: drop table job_tags
DROP TABLE "job_tags";
-- destructive: drop table events
DROP TABLE "events";
-- destructive: drop table artifacts
DROP TABLE "artifacts";
-- destructive: drop table job_runs
DROP TABLE "job_runs";
-- destructive: drop table jobs
DROP TABLE "jobs";
-- destructive: drop table agents
DROP TABLE "agents";
-- destructive: drop table tags
DROP TABLE "tags";
-- destructive: drop table projects
DROP TABLE "projects";
