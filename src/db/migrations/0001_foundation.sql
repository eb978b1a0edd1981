-- 0001_foundation: organizations (materialized path), a minimal member table (extended by the
-- member-records issue), jobs with progress and leases, and CONFIG rule settings.
-- Dates are ISO text 'YYYY-MM-DD' in both dialects (sorts and compares correctly, binds as
-- text everywhere); instants are BIGINT unix seconds. See docs/decisions/0002-portable-schema.md.

CREATE TABLE orgs (
    id @ID@,
    parent_id BIGINT REFERENCES orgs(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('committee', 'general_branch', 'branch', 'group')),
    path TEXT @BYTES@ NOT NULL,           -- '/1/5/23/': this org and its ancestors' ids
    depth INTEGER NOT NULL CHECK (depth >= 0),
    is_joint INTEGER NOT NULL DEFAULT 0 CHECK (is_joint IN (0, 1)),       -- 联合党支部 (ORG-01)
    is_village INTEGER NOT NULL DEFAULT 0 CHECK (is_village IN (0, 1)),   -- 村/社区 (ORG-05)
    has_committee INTEGER NOT NULL DEFAULT 0 CHECK (has_committee IN (0, 1)),
    committee_size INTEGER CHECK (committee_size IS NULL OR committee_size BETWEEN 1 AND 15),
    founded_on TEXT,
    term_start TEXT,                      -- start of the current term (换届 date)
    term_years INTEGER CHECK (term_years IS NULL OR term_years BETWEEN 3 AND 5),
    sort_order INTEGER NOT NULL DEFAULT 0,
    n_full BIGINT NOT NULL DEFAULT 0,     -- direct counts of active members, kept by triggers
    n_prob BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX orgs_code ON orgs(code);
CREATE INDEX orgs_path ON orgs(path);
CREATE INDEX orgs_parent ON orgs(parent_id, sort_order);
CREATE INDEX orgs_name ON orgs(name);

CREATE TABLE members (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    gender INTEGER NOT NULL CHECK (gender IN (0, 1, 2, 9)),              -- CODE-01
    birth_date TEXT,
    category TEXT NOT NULL CHECK (category IN ('full', 'probationary')),  -- CODE-05
    joined_on TEXT,                       -- 入党时间 (MEMB-04: meet)
    full_on TEXT,                         -- 转正时间
    status TEXT NOT NULL DEFAULT 'normal'
        CHECK (status IN ('normal', 'lost_contact', 'suspended', 'expelled', 'deceased',
                          'transferred_out')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX members_org ON members(org_id);
CREATE INDEX members_name ON members(name);

CREATE TABLE jobs (
    id @ID@,
    kind TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    params TEXT,                          -- JSON
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    result TEXT,                          -- JSON
    error TEXT,
    lease_owner TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
CREATE INDEX jobs_state ON jobs(state, id);

-- CONFIG rules (domain-rules.md §0): org_id 0 = the platform default; a row for an org
-- overrides it for that org's subtree (nearest ancestor wins).
CREATE TABLE rule_settings (
    rule_key TEXT NOT NULL,
    org_id BIGINT NOT NULL DEFAULT 0,
    value TEXT NOT NULL,
    note TEXT,                            -- the 党委 decision that set it
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (rule_key, org_id)
);
INSERT INTO rule_settings (rule_key, org_id, value, note, updated_at) VALUES
    ('ORG-05.term_years.committee', 0, '5', 'default', 0),
    ('ORG-05.term_years.general_branch', 0, '3', 'default', 0),
    ('ORG-05.term_years.branch', 0, '3', 'default', 0),
    ('ORG-05.term_years.village', 0, '5', 'default', 0),
    ('ORG-06.remind_months', 0, '6', 'default', 0),
    ('ORG-03.committee_allowed_below_7', 0, '0', 'default', 0);

-- Direct member counts per org, maintained by triggers so no code path can forget them.
-- A member counts while status is normal or lost_contact (still a party member).
-- @sqlite
CREATE TRIGGER members_count_ins AFTER INSERT ON members
WHEN NEW.status IN ('normal', 'lost_contact')
BEGIN
    UPDATE orgs SET n_full = n_full + (NEW.category = 'full'),
                    n_prob = n_prob + (NEW.category = 'probationary')
    WHERE id = NEW.org_id;
END;
CREATE TRIGGER members_count_del AFTER DELETE ON members
WHEN OLD.status IN ('normal', 'lost_contact')
BEGIN
    UPDATE orgs SET n_full = n_full - (OLD.category = 'full'),
                    n_prob = n_prob - (OLD.category = 'probationary')
    WHERE id = OLD.org_id;
END;
CREATE TRIGGER members_count_upd AFTER UPDATE OF org_id, category, status ON members
BEGIN
    UPDATE orgs SET
        n_full = n_full - (OLD.category = 'full' AND OLD.status IN ('normal', 'lost_contact')),
        n_prob = n_prob - (OLD.category = 'probationary' AND OLD.status IN ('normal', 'lost_contact'))
    WHERE id = OLD.org_id;
    UPDATE orgs SET
        n_full = n_full + (NEW.category = 'full' AND NEW.status IN ('normal', 'lost_contact')),
        n_prob = n_prob + (NEW.category = 'probationary' AND NEW.status IN ('normal', 'lost_contact'))
    WHERE id = NEW.org_id;
END;
-- @postgresql
-- Statement-level triggers with transition tables: a multi-row INSERT (imports, the demo) makes
-- one grouped UPDATE per org instead of one per member. Row-level triggers rewrote an org row
-- per member, which left a 10,000-org table spread over 22,000 pages after a 1M-member load.
-- fillfactor keeps room on each page so these count updates stay HOT (no index churn).
ALTER TABLE orgs SET (fillfactor = 70);
CREATE FUNCTION members_count_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orgs o SET n_full = o.n_full + d.f, n_prob = o.n_prob + d.p
    FROM (SELECT org_id, SUM((category = 'full')::int) AS f,
                 SUM((category = 'probationary')::int) AS p
          FROM new_rows WHERE status IN ('normal', 'lost_contact') GROUP BY org_id) d
    WHERE o.id = d.org_id;
    RETURN NULL;
END $$;
CREATE FUNCTION members_count_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orgs o SET n_full = o.n_full - d.f, n_prob = o.n_prob - d.p
    FROM (SELECT org_id, SUM((category = 'full')::int) AS f,
                 SUM((category = 'probationary')::int) AS p
          FROM old_rows WHERE status IN ('normal', 'lost_contact') GROUP BY org_id) d
    WHERE o.id = d.org_id;
    RETURN NULL;
END $$;
-- Updates count only rows whose org, category or status changed (ids never change).
CREATE FUNCTION members_count_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orgs o SET n_full = o.n_full + d.f, n_prob = o.n_prob + d.p
    FROM (SELECT org_id, SUM(f) AS f, SUM(p) AS p FROM (
              SELECT b.org_id, -(b.category = 'full')::int AS f,
                     -(b.category = 'probationary')::int AS p
              FROM old_rows b JOIN new_rows a ON a.id = b.id
              WHERE (b.org_id, b.category, b.status) IS DISTINCT FROM (a.org_id, a.category, a.status)
                AND b.status IN ('normal', 'lost_contact')
              UNION ALL
              SELECT a.org_id, (a.category = 'full')::int, (a.category = 'probationary')::int
              FROM old_rows b JOIN new_rows a ON a.id = b.id
              WHERE (b.org_id, b.category, b.status) IS DISTINCT FROM (a.org_id, a.category, a.status)
                AND a.status IN ('normal', 'lost_contact')) changes
          GROUP BY org_id) d
    WHERE o.id = d.org_id AND (d.f <> 0 OR d.p <> 0);
    RETURN NULL;
END $$;
CREATE TRIGGER members_count_ins AFTER INSERT ON members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION members_count_ins();
CREATE TRIGGER members_count_del AFTER DELETE ON members
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION members_count_del();
CREATE TRIGGER members_count_upd AFTER UPDATE ON members
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION members_count_upd();
