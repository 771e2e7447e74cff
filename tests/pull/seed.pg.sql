-- A hand-written PostgreSQL schema in the style applications write by hand:
-- UUID and JSONB columns, VARCHAR(n), TIMESTAMP without time zone,
-- DEFAULT NOW(), serial, a native enum, a partial index, a view.
CREATE TYPE task_status AS ENUM ('pending', 'in_progress', 'completed', 'failed');

CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    display_name TEXT,
    is_admin BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP DEFAULT NOW()
);
COMMENT ON TABLE users IS 'People who can log in.';
COMMENT ON COLUMN users.email IS 'Lower-case login address.';

CREATE TABLE tasks (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    title TEXT NOT NULL,
    requirements JSONB NOT NULL DEFAULT '{}',
    status task_status NOT NULL DEFAULT 'pending',
    kind VARCHAR(50) NOT NULL DEFAULT 'job',
    level TEXT NOT NULL DEFAULT 'low' CHECK (level IN ('low', 'high')),
    priority INTEGER DEFAULT 0 CHECK (priority BETWEEN 0 AND 10),
    budget NUMERIC(12,2),
    owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    parent_task_id UUID REFERENCES tasks(id),
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    tags TEXT[]
);

CREATE INDEX idx_tasks_status ON tasks (status);
CREATE INDEX tasks_open ON tasks (priority, created_at) WHERE status <> 'completed';
CREATE UNIQUE INDEX tasks_title_owner ON tasks (owner_id, title);

CREATE VIEW open_tasks AS
    SELECT t.id, t.title, u.email
    FROM tasks t LEFT JOIN users u ON u.id = t.owner_id
    WHERE t.status IN ('pending', 'in_progress');
