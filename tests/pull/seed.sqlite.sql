-- A hand-written SQLite schema: not STRICT, the type names people use.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email VARCHAR(255) NOT NULL UNIQUE, -- login address
    display_name TEXT,
    is_admin BOOLEAN NOT NULL DEFAULT 0,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    -- who wrote it
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL CHECK (length(body) > 0),
    mood TEXT NOT NULL DEFAULT 'calm' CHECK (mood IN ('calm', 'angry')),
    score REAL DEFAULT 1.5,
    price DECIMAL(10,2),
    data BLOB,
    meta JSON,
    day DATE,
    pinned INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX notes_pinned ON notes (user_id, day) WHERE pinned = 1;
CREATE INDEX idx_notes_user_id ON notes (user_id);

CREATE VIEW recent_notes AS SELECT n.id, n.body, u.email FROM notes n JOIN users u ON u.id = n.user_id;
