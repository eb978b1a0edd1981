-- 0008_member_change_requests: a member's own change requests (issue 5 §7). The member asks,
-- the secretary approves (the record changes then, through the record store) or rejects.
-- proposed_enc and base_enc hold {field:value} objects (the asked values, and the record's
-- values when asked) sealed with the row id (AD "member_change_requests.proposed:<id>" and
-- ".base:<id>"): proposed personal data is never stored in the clear. base_version is the record's version when the request was made: approval compares
-- the requested fields with base when the version moved since (stale: 409, stays pending).
-- fields is the comma-separated list of requested field names (for lists without opening).
CREATE TABLE member_change_requests (
    id @ID@,
    member_id BIGINT NOT NULL REFERENCES members(id),
    user_id BIGINT REFERENCES users(id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled')),
    fields TEXT NOT NULL,
    note TEXT,
    proposed_enc TEXT,
    base_enc TEXT,
    base_version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by BIGINT REFERENCES users(id)
);
CREATE INDEX member_change_requests_member ON member_change_requests(member_id, id);
CREATE INDEX member_change_requests_state ON member_change_requests(state, id);

-- Each step of a request: created, approved, rejected, cancelled; who, when, comment.
CREATE TABLE member_change_request_events (
    id @ID@,
    request_id BIGINT NOT NULL REFERENCES member_change_requests(id),
    action TEXT NOT NULL CHECK (action IN ('created', 'approved', 'rejected', 'cancelled')),
    user_id BIGINT REFERENCES users(id),
    comment TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX member_change_request_events_request ON member_change_request_events(request_id, id);
