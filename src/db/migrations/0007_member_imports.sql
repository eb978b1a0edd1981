-- 0007_member_imports: member import from .xlsx / .csv (issue 5 §4), decision 0015.
--
-- An upload is checked at once (the dry run: counts and problems, nothing written to members)
-- and kept, sealed, in member_import_chunks until it has run, so the real run needs no second
-- upload. The run is a job ("member.import") that writes in batches of 500 rows, each batch in
-- one transaction together with the member_import_rows of its rows and the job's progress: a
-- run cut short (crash, SIGKILL) leaves whole batches only, every written member traceable to
-- the import, and is resumed by the job runner when its lease expires (rows it already wrote
-- compare unchanged) or undone. Undo works while every row still has the version the import
-- left (members.version).
CREATE TABLE member_imports (
    id @ID@,
    state TEXT NOT NULL CHECK (state IN ('checked', 'queued', 'running', 'done', 'failed', 'undone')),
    filename TEXT NOT NULL,
    format TEXT NOT NULL,                 -- 'xlsx' | 'csv'
    size BIGINT NOT NULL,
    scope TEXT NOT NULL,                  -- JSON array of org paths the importer may write ("" = all)
    default_org_id BIGINT,                -- rows without an org code go here (CLI --org)
    user_id BIGINT,
    actor TEXT NOT NULL,                  -- audit actor ("user:12", "cli")
    actor_name TEXT,
    job_id BIGINT,
    rows_total BIGINT NOT NULL DEFAULT 0,
    n_new BIGINT NOT NULL DEFAULT 0,
    n_update BIGINT NOT NULL DEFAULT 0,
    n_unchanged BIGINT NOT NULL DEFAULT 0,
    n_bad BIGINT NOT NULL DEFAULT 0,
    n_errors BIGINT NOT NULL DEFAULT 0,
    unknown_columns TEXT,                 -- JSON array of header texts not understood
    error TEXT,                           -- why a run failed
    created_at BIGINT NOT NULL,
    run_at BIGINT,
    finished_at BIGINT,
    undone_at BIGINT
);
CREATE INDEX member_imports_created ON member_imports(created_at);

-- The uploaded file, sealed in pieces (crypto/field.h takes at most 4 KiB of text): base64 of
-- 3,000 bytes per piece, AD "member_import_chunks.data.<seq>:<import id>". Deleted once run.
CREATE TABLE member_import_chunks (
    import_id BIGINT NOT NULL REFERENCES member_imports(id),
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- What a run did to each member: 'insert' or 'update', the version it left, and for an update
-- the previous row (JSON of every column as stored, personal data still sealed) for undo.
CREATE TABLE member_import_rows (
    import_id BIGINT NOT NULL REFERENCES member_imports(id),
    member_id BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('insert', 'update')),
    version_after BIGINT NOT NULL,
    before TEXT,
    PRIMARY KEY (import_id, member_id)
);

-- The error report: real sheet row, column (header text), rule id, message key and the
-- original value, sealed (it may be an ID number), AD "member_import_errors.value:<import id>".
-- The dry run's report is replaced by the run's.
CREATE TABLE member_import_errors (
    import_id BIGINT NOT NULL REFERENCES member_imports(id),
    seq INTEGER NOT NULL,
    row_no BIGINT NOT NULL,
    col TEXT,
    rule TEXT,
    msg TEXT NOT NULL,
    value_enc TEXT,
    PRIMARY KEY (import_id, seq)
);
