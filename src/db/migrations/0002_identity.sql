-- 0002_identity: accounts, sessions, roles scoped to org subtrees, API tokens, log-in throttling,
-- the hash-chained audit log with signed checkpoints, and encrypted personal data on members
-- (issue 4, ARCHITECTURE.md §4 and §8).
-- Secrets are never stored in the clear: passwords as Argon2id strings, session and API tokens
-- as BLAKE2b-256 hex of the token, personal data as "v1:<key id>:<base64url>" (crypto/field.h)
-- with a keyed blind index (64 hex digits) for exact-match lookup.

-- Encrypted personal data of members (crypto/field.h; AD = "<column>:<member id>").
ALTER TABLE members ADD COLUMN id_number_enc TEXT;
ALTER TABLE members ADD COLUMN id_number_bidx TEXT;
ALTER TABLE members ADD COLUMN phone_enc TEXT;
ALTER TABLE members ADD COLUMN phone_bidx TEXT;
ALTER TABLE members ADD COLUMN address_enc TEXT;
CREATE INDEX members_id_number_bidx ON members(id_number_bidx);
CREATE INDEX members_phone_bidx ON members(phone_bidx);

CREATE TABLE users (
    id @ID@,
    username TEXT NOT NULL,               -- stored lower-case; log-in is case-insensitive
    display_name TEXT NOT NULL,
    member_id BIGINT REFERENCES members(id),   -- a member logs in as themself
    phone_enc TEXT,                       -- AD "users.phone:<id>"
    phone_bidx TEXT,                      -- log-in by phone
    password_hash TEXT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    mfa_secret_enc TEXT,                  -- TOTP secret, AD "users.mfa_secret:<id>"
    mfa_enabled INTEGER NOT NULL DEFAULT 0 CHECK (mfa_enabled IN (0, 1)),
    mfa_last_step BIGINT NOT NULL DEFAULT 0,   -- newest TOTP step accepted (one use per code)
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    last_login_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users(username);
CREATE UNIQUE INDEX users_phone_bidx ON users(phone_bidx);
CREATE UNIQUE INDEX users_member ON users(member_id);

CREATE TABLE mfa_recovery_codes (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,              -- BLAKE2b-256 hex of the normalised code
    used_at BIGINT
);
CREATE INDEX mfa_recovery_user ON mfa_recovery_codes(user_id);

-- A role held over an org subtree; org_id NULL = the whole system (auditor, security and
-- system administrators are granted this way).
CREATE TABLE role_assignments (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL CHECK (role IN ('member', 'branch_secretary', 'committee_admin', 'leader',
                                       'auditor', 'security_admin', 'system_admin')),
    org_id BIGINT REFERENCES orgs(id),
    granted_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX role_assignments_user ON role_assignments(user_id);

CREATE TABLE sessions (
    id @ID@,
    token_hash TEXT @BYTES@ NOT NULL,     -- BLAKE2b-256 hex of the cookie value
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('mfa', 'enroll', 'full')),   -- what is still owed
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,           -- absolute time-out
    ip TEXT,
    user_agent TEXT,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX sessions_token ON sessions(token_hash);
CREATE INDEX sessions_user ON sessions(user_id, revoked_at);

CREATE TABLE api_tokens (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users(id),   -- who made it; it never exceeds their rights
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,                 -- first characters, shown in lists to tell tokens apart
    token_hash TEXT @BYTES@ NOT NULL,
    perms TEXT NOT NULL,                  -- space-separated permission names
    org_id BIGINT REFERENCES orgs(id),    -- subtree; NULL = the creator's whole scope
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens(token_hash);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Failed log-ins per key: "a:<login name>" (per account, also for names that do not exist, so
-- the answer cannot tell) and "i:<ip>".
CREATE TABLE login_throttle (
    throttle_key TEXT @BYTES@ PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);

-- The audit log: append-only, hash-chained (auth/audit_chain.h). seq has no gaps; prev_hash and
-- hash are 64 hex digits.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,                  -- "user:12", "token:3", "system", "cli"
    actor_name TEXT,                      -- display only, not part of the hash
    action TEXT NOT NULL,
    object TEXT,
    org_id BIGINT,                        -- for scoped filtering; not part of the hash
    ip TEXT,
    changes TEXT,                         -- canonical JSON, sensitive values masked
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);

-- One row: the newest entry, locked by every append so the chain stays a line.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    checkpoint_seq BIGINT NOT NULL,
    checkpoint_at BIGINT NOT NULL
);
INSERT INTO audit_head (id, seq, hash, checkpoint_seq, checkpoint_at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0, 0);

CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,               -- the entry signed
    hash TEXT NOT NULL,
    key_id INTEGER NOT NULL,
    signature TEXT NOT NULL,              -- 128 hex digits (Ed25519)
    at BIGINT NOT NULL
);

-- @sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- @postgresql
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
