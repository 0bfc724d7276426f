-- 0010: the one workflow engine (DESIGN principle 2): review chains for
-- projects, relief applications and credit ratings; public notices (公示)
-- with objections (异议) and reports (举报).

-- An item under review. The chain is a snapshot (JSON) of the steps taken
-- from the county's profile when it was submitted: a later profile change
-- never changes a running review. cur_role/cur_level are the current
-- step's, for the review queues.
CREATE TABLE wf_items (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,           -- project, relief, credit
    subject TEXT NOT NULL,        -- the project code, application id, …
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    amount BIGINT NOT NULL,
    chain TEXT NOT NULL,
    step INTEGER NOT NULL,        -- index of the step awaiting a decision
    state TEXT NOT NULL,          -- pending, returned, approved, rejected
    cur_role TEXT NOT NULL,
    cur_level TEXT NOT NULL,
    frozen INTEGER NOT NULL DEFAULT 0,
    frozen_reason TEXT NOT NULL DEFAULT '',
    maker TEXT NOT NULL,
    notice_id BIGINT NOT NULL DEFAULT 0,
    entered_at BIGINT NOT NULL,   -- when the current step was reached
    due_at BIGINT NOT NULL,       -- its SLA deadline (0: none)
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX wf_items_subject ON wf_items (county, kind, subject);
-- The review queues: equality on role and level, the state, the place
-- subtree as a range, and the deadline so that the sort reads no row.
CREATE INDEX wf_items_queue ON wf_items (county, cur_role, cur_level, state, place, due_at);

-- Every decision: who, when, which step, what, why, with what attached.
CREATE TABLE wf_steps (
    county TEXT NOT NULL,
    item BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    step INTEGER NOT NULL,
    step_name TEXT NOT NULL,
    role TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    decision TEXT NOT NULL,       -- submit, approve, return, reject, freeze, unfreeze, objection_upheld
    to_step INTEGER NOT NULL,
    opinion TEXT NOT NULL,
    attachments TEXT NOT NULL,    -- JSON list of volume file ids
    at BIGINT NOT NULL,
    PRIMARY KEY (county, item, seq)
) {{WITHOUT_ROWID}};

-- A public notice: posted for places (village boards), from starts to ends
-- (local days, inclusive).
CREATE TABLE wf_notices (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    item BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    places TEXT NOT NULL,         -- comma-separated division codes
    place TEXT NOT NULL,          -- the item's place
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    state TEXT NOT NULL,          -- posted, withdrawn
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX wf_notices_ends ON wf_notices (county, ends);

CREATE TABLE wf_objections (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    notice BIGINT NOT NULL,
    kind TEXT NOT NULL,           -- objection (异议), report (举报)
    name TEXT NOT NULL,           -- may be empty: anonymous
    contact TEXT NOT NULL,
    body TEXT NOT NULL,
    filed_at BIGINT NOT NULL,
    status TEXT NOT NULL,         -- open, upheld, dismissed
    reply TEXT NOT NULL,
    replied_by TEXT NOT NULL,
    replied_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX wf_objections_notice ON wf_objections (county, notice);
