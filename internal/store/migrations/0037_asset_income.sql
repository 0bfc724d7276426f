-- 0037: an asset's income and its distribution (资产收益及分配, M-51, M-52).
-- Leases and 入股 of operating assets confirmed to the village collective
-- (as_leases: the owner never changes); the income that arrived on the
-- asset's account ast:ID (as_income: rent, dividends, sales; each row one
-- ledger transfer of kind asset_income, its legs the asset's legs pro
-- rata); distribution runs by the profile's rule (as_dist_runs, a money
-- instruction asset_distribution) and their lines (as_dist_lines: a
-- household line is paid through the payout mechanism, source kind
-- 'asset', source = the line's id; a collective line is posted to the
-- collective's account at approval); the yearly valuations (as_valuations).
CREATE TABLE as_leases (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    asset BIGINT NOT NULL,
    kind TEXT NOT NULL,             -- lease (出租) or invest (入股)
    counterparty TEXT NOT NULL,     -- the entity's USCC (entities register of this county)
    counterparty_name TEXT NOT NULL,
    starts TEXT NOT NULL,           -- YYYY-MM-DD
    ends TEXT NOT NULL,             -- YYYY-MM-DD (the last day)
    rent BIGINT NOT NULL,           -- yearly rent, fen (lease)
    share BIGINT NOT NULL,          -- basis points of the operator's profit (invest)
    doc TEXT NOT NULL,              -- the agreement's document (合同编号)
    state TEXT NOT NULL,            -- active, ended
    prior_use TEXT NOT NULL,        -- the asset's use_state before it
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    ended_at BIGINT NOT NULL,
    ended_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX as_leases_asset ON as_leases (county, asset, id);

CREATE TABLE as_income (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    asset BIGINT NOT NULL,
    period INTEGER NOT NULL,        -- the year the income belongs to
    kind TEXT NOT NULL,             -- rent, dividend, sales
    lease BIGINT NOT NULL,          -- the lease it is paid under (0: none)
    amount BIGINT NOT NULL,
    legs TEXT NOT NULL,             -- JSON [{"channel","amount"}]: the asset's legs pro rata
    doc_no TEXT NOT NULL,
    payer TEXT NOT NULL,            -- the ledger account it came from
    received_on TEXT NOT NULL,      -- YYYY-MM-DD
    transfer BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX as_income_asset ON as_income (county, asset, period, id);

CREATE TABLE as_dist_runs (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    asset BIGINT NOT NULL,
    period INTEGER NOT NULL,
    total BIGINT NOT NULL,
    lines INTEGER NOT NULL,
    shares TEXT NOT NULL,           -- JSON: the shares of the rule as applied, each with its use and amount
    digest TEXT NOT NULL,           -- of the lines, frozen in the instruction
    instruction BIGINT NOT NULL,
    state TEXT NOT NULL,            -- pending, posted (a rejected instruction frees the period)
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    posted_at BIGINT NOT NULL,
    posted_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX as_dist_runs_asset ON as_dist_runs (county, asset, period, id);

CREATE TABLE as_dist_lines (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,             -- per county: the payout source of a household line
    run BIGINT NOT NULL,
    share TEXT NOT NULL,            -- the rule's share key
    payee_kind TEXT NOT NULL,       -- household or collective
    payee TEXT NOT NULL,            -- the household's code or the collective's USCC
    place TEXT NOT NULL,
    amount BIGINT NOT NULL,
    legs TEXT NOT NULL,             -- JSON: the asset's legs pro rata
    pay_status TEXT NOT NULL,       -- planned, waiting, sending, paid, failed (collective lines: planned, posted)
    attempts INTEGER NOT NULL,
    transfer BIGINT NOT NULL,       -- the transfer that paid it
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX as_dist_lines_run ON as_dist_lines (county, run, id);
CREATE INDEX as_dist_lines_pay ON as_dist_lines (county, pay_status, id);

CREATE TABLE as_valuations (
    county TEXT NOT NULL,
    asset BIGINT NOT NULL,
    year INTEGER NOT NULL,
    book_value BIGINT NOT NULL,
    assessed BIGINT NOT NULL,       -- 0: not appraised
    appraiser TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, asset, year)
) {{WITHOUT_ROWID}};
