-- 0033: dividend runs (M-31, M-32) of active entity agreements, per
-- period (the agreement's year 1, 2, … of its term). ag_div_declared: an
-- equity agreement's returns the operator declared for a period, with its
-- document. ag_div_payments: the operator's payments into the dividend
-- money (div:fund, ledger kind dividend_in), each a posted transfer.
-- ag_div_runs: a run approved (instruct kind dividend_run), frozen: its
-- amount and channel legs; ag_div_lines: its households' lines, each a
-- payout item (payout_lines kind 'dividend', source = the line's id) with
-- its frozen legs. pay_status: waiting, sending, paid, failed.
CREATE TABLE ag_div_declared (
    county TEXT NOT NULL,
    agreement BIGINT NOT NULL,
    period INTEGER NOT NULL,
    returns BIGINT NOT NULL,        -- fen: the returns of the quantified shares
    doc_no TEXT NOT NULL,
    declared_at BIGINT NOT NULL,
    declared_by TEXT NOT NULL,
    PRIMARY KEY (county, agreement, period)
) {{WITHOUT_ROWID}};

CREATE TABLE ag_div_payments (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    agreement BIGINT NOT NULL,
    period INTEGER NOT NULL,
    amount BIGINT NOT NULL,         -- fen
    legs TEXT NOT NULL,             -- JSON: the invested legs pro rata
    doc_no TEXT NOT NULL,
    paid_on TEXT NOT NULL,          -- YYYY-MM-DD: the day the money arrived
    transfer BIGINT NOT NULL,       -- the ledger transfer (kind dividend_in)
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX ag_div_payments_agreement ON ag_div_payments (county, agreement, period);

CREATE TABLE ag_div_runs (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    agreement BIGINT NOT NULL,
    period INTEGER NOT NULL,
    place TEXT NOT NULL,            -- the agreement's township
    amount BIGINT NOT NULL,
    legs TEXT NOT NULL,             -- JSON: the run's channel legs
    instruction BIGINT NOT NULL,
    maker TEXT NOT NULL,
    approver TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX ag_div_runs_period ON ag_div_runs (county, agreement, period);

CREATE TABLE ag_div_lines (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,             -- county-wide: the payout source
    run BIGINT NOT NULL,
    agreement BIGINT NOT NULL,
    household TEXT NOT NULL,
    place TEXT NOT NULL,            -- the household's village
    shares BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    legs TEXT NOT NULL,             -- JSON: the line's frozen legs
    pay_status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    paid_transfer BIGINT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX ag_div_lines_pay ON ag_div_lines (county, pay_status, id);
CREATE INDEX ag_div_lines_run ON ag_div_lines (county, run, id);
CREATE INDEX ag_div_lines_household ON ag_div_lines (county, household, id);
