-- 0011_member_import_expired: a checked import (dry run only) that was never run keeps its
-- sealed upload no longer than the retention (config import_retention_days, 7 by default):
-- then its pieces are deleted and its state becomes 'expired' (decision 0015). This widens the
-- state CHECK of member_imports (0007); rows and ids stay as they were.
-- @postgresql
ALTER TABLE member_imports DROP CONSTRAINT member_imports_state_check;
ALTER TABLE member_imports ADD CONSTRAINT member_imports_state_check CHECK
    (state IN ('checked', 'queued', 'running', 'done', 'failed', 'undone', 'expired'));
-- @sqlite
-- SQLite cannot change a CHECK in place: the table is rebuilt, and with it the three tables
-- that reference it (a parent cannot be dropped under its children while foreign keys are on,
-- and this runs inside the migration's transaction where they cannot be turned off). The new
-- children reference member_imports_new; renaming it rewrites those references.
CREATE TABLE member_imports_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    state TEXT NOT NULL CHECK (state IN ('checked', 'queued', 'running', 'done', 'failed', 'undone', 'expired')),
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    size BIGINT NOT NULL,
    scope TEXT NOT NULL,
    default_org_id BIGINT,
    user_id BIGINT,
    actor TEXT NOT NULL,
    actor_name TEXT,
    job_id BIGINT,
    rows_total BIGINT NOT NULL DEFAULT 0,
    n_new BIGINT NOT NULL DEFAULT 0,
    n_update BIGINT NOT NULL DEFAULT 0,
    n_unchanged BIGINT NOT NULL DEFAULT 0,
    n_bad BIGINT NOT NULL DEFAULT 0,
    n_errors BIGINT NOT NULL DEFAULT 0,
    unknown_columns TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    run_at BIGINT,
    finished_at BIGINT,
    undone_at BIGINT
);
INSERT INTO member_imports_new SELECT id, state, filename, format, size, scope, default_org_id,
    user_id, actor, actor_name, job_id, rows_total, n_new, n_update, n_unchanged, n_bad,
    n_errors, unknown_columns, error, created_at, run_at, finished_at, undone_at
    FROM member_imports;
CREATE TABLE member_import_chunks_new (
    import_id BIGINT NOT NULL REFERENCES member_imports_new(id),
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
INSERT INTO member_import_chunks_new SELECT import_id, seq, data FROM member_import_chunks;
CREATE TABLE member_import_rows_new (
    import_id BIGINT NOT NULL REFERENCES member_imports_new(id),
    member_id BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('insert', 'update')),
    version_after BIGINT NOT NULL,
    before TEXT,
    PRIMARY KEY (import_id, member_id)
);
INSERT INTO member_import_rows_new SELECT import_id, member_id, action, version_after, before
    FROM member_import_rows;
CREATE TABLE member_import_errors_new (
    import_id BIGINT NOT NULL REFERENCES member_imports_new(id),
    seq INTEGER NOT NULL,
    row_no BIGINT NOT NULL,
    col TEXT,
    rule TEXT,
    msg TEXT NOT NULL,
    value_enc TEXT,
    PRIMARY KEY (import_id, seq)
);
INSERT INTO member_import_errors_new SELECT import_id, seq, row_no, col, rule, msg, value_enc
    FROM member_import_errors;
DROP TABLE member_import_chunks;
DROP TABLE member_import_rows;
DROP TABLE member_import_errors;
DROP TABLE member_imports;
ALTER TABLE member_imports_new RENAME TO member_imports;
ALTER TABLE member_import_chunks_new RENAME TO member_import_chunks;
ALTER TABLE member_import_rows_new RENAME TO member_import_rows;
ALTER TABLE member_import_errors_new RENAME TO member_import_errors;
CREATE INDEX member_imports_created ON member_imports(created_at);
-- @all
-- Finding the checked imports past the retention: by state, oldest first.
CREATE INDEX member_imports_state ON member_imports(state, created_at);
