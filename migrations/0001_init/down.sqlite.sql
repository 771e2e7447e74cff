-- dalc migration 0001_init (down, SQLite)
-- destructive: drop table metrics; drop table job_tags; drop table events; drop table artifacts; drop table job_runs; drop table jobs; drop table agents; drop table tags; drop table projects
-- run by dalc with PRAGMA foreign_keys=OFF and a PRAGMA foreign_key_check before COMMIT

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
