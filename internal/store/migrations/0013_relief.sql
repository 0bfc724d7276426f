-- 0013: the anti-return-to-poverty relief fund (防返贫基金, seed 004,
-- M-60 … M-64). Money is in the ledger (relief:fund, relief:bank in
-- transit, households hh:CODE); these tables keep what the ledger does not.

-- Money in: donations (donor, campaign) and treasury top-ups.
CREATE TABLE relief_inflows (
    county TEXT NOT NULL,
    transfer_id BIGINT NOT NULL,
    source TEXT NOT NULL,          -- donation, treasury
    donor TEXT NOT NULL,
    campaign TEXT NOT NULL,        -- e.g. 10·17 扶贫日
    day TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (county, transfer_id)
) {{WITHOUT_ROWID}};

-- The floor's treasury top-up requests: one open at a time, its amount
-- the difference to the floor, met when the treasury's money arrives.
CREATE TABLE relief_requests (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    status TEXT NOT NULL,          -- open, met
    raised_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};

-- An application for a top-up: the figures of its last computation (at
-- each review step), frozen at approval.
CREATE TABLE relief_applications (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    household TEXT NOT NULL,
    village TEXT NOT NULL,
    member_seq INTEGER NOT NULL,
    applicant TEXT NOT NULL,       -- the member's name (masked on every public page)
    year INTEGER NOT NULL,
    cause_enc TEXT NOT NULL,       -- encrypted: illness is sensitive
    standard BIGINT NOT NULL,
    source TEXT NOT NULL,          -- the standard's source document
    income BIGINT NOT NULL,
    expenses BIGINT NOT NULL,
    rounding TEXT NOT NULL,
    per_capita BIGINT NOT NULL,
    members INTEGER NOT NULL,
    amount BIGINT NOT NULL,
    frozen INTEGER NOT NULL,       -- 1 once approved: a later registry edit changes nothing
    status TEXT NOT NULL,          -- review, approved, sending, paid, failed, rejected
    item BIGINT NOT NULL,          -- its workflow item
    attempts INTEGER NOT NULL,     -- payout attempts
    paid_transfer BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX relief_applications_household ON relief_applications (county, household, year);
CREATE INDEX relief_applications_status ON relief_applications (county, status, village);
-- The payout takes approved applications in id order, a chunk at a time.
CREATE INDEX relief_applications_send ON relief_applications (county, status, id);

-- Payout batches for the bank, and their lines.
CREATE TABLE relief_batches (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    lines INTEGER NOT NULL,
    total BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};

CREATE TABLE relief_lines (
    county TEXT NOT NULL,
    batch BIGINT NOT NULL,
    line INTEGER NOT NULL,
    application BIGINT NOT NULL,
    attempt INTEGER NOT NULL,
    household TEXT NOT NULL,
    village TEXT NOT NULL,
    amount BIGINT NOT NULL,
    card_mask TEXT NOT NULL,
    status TEXT NOT NULL,          -- sent, paid, failed
    reason TEXT NOT NULL,
    sent_transfer BIGINT NOT NULL,
    settled_transfer BIGINT NOT NULL,
    settled_at BIGINT NOT NULL,
    PRIMARY KEY (county, batch, line)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX relief_lines_attempt ON relief_lines (county, application, attempt);
