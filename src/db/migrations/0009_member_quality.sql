-- 0009_member_quality: the data-quality report (issue 5 §8), computed by the "member.quality"
-- job over a subtree (org_path; "" = every org) and stored per run. member_quality_orgs holds
-- one row per org of the subtree with counts over that org's own subtree (rolled up): members
-- checked (in service), clean ones (no finding), REC-01 (missing required), duplicates, the
-- rule id -> member count map as JSON text, and the score floor(100 * clean / members).
-- member_quality_items lists every finding (member, org, rule, field) for the fix links.
CREATE TABLE member_quality_runs (
    id @ID@,
    job_id BIGINT,
    org_id BIGINT NOT NULL,               -- 0 = every org
    org_path TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'failed')),
    user_id BIGINT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);

CREATE TABLE member_quality_orgs (
    run_id BIGINT NOT NULL REFERENCES member_quality_runs(id),
    org_id BIGINT NOT NULL,
    members BIGINT NOT NULL,
    clean BIGINT NOT NULL,
    missing_required BIGINT NOT NULL,
    dup_id_number BIGINT NOT NULL,
    dup_name_birth BIGINT NOT NULL,
    rules TEXT NOT NULL,
    score INTEGER NOT NULL,
    PRIMARY KEY (run_id, org_id)
);

CREATE TABLE member_quality_items (
    id @ID@,
    run_id BIGINT NOT NULL REFERENCES member_quality_runs(id),
    member_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    rule TEXT NOT NULL,
    field TEXT NOT NULL
);
CREATE INDEX member_quality_items_run ON member_quality_items(run_id, id);
