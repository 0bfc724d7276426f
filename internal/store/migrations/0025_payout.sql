-- 0025: one payout mechanism (internal/payout). Every capability that pays
-- households through the bank (relief first; dividends, subsidies, asset
-- income and interest subsidies later) keeps its batches and lines here,
-- keyed by (county, source kind, source id, attempt). Relief's batches
-- and lines of 0013/0014 are moved here with their ids, and the old
-- tables dropped: an existing county's payouts survive unchanged.

-- A payout batch: its id is the county's (one sequence over every
-- kind, so a bank return file's batch number names one batch).
CREATE TABLE payout_batches (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,            -- the source kind: relief, …
    lines INTEGER NOT NULL,
    total BIGINT NOT NULL,
    bound BIGINT NOT NULL,         -- an approved batch sends only sources up to this id (0: no bound)
    instruction BIGINT NOT NULL,   -- the money instruction that approved it (0: none)
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX payout_batches_kind ON payout_batches (county, kind, id);

-- One payee's payment in a batch: sent to the bank in transit, then paid
-- or failed by the bank's return file.
CREATE TABLE payout_lines (
    county TEXT NOT NULL,
    batch BIGINT NOT NULL,
    line INTEGER NOT NULL,
    kind TEXT NOT NULL,            -- the source kind (as its batch's)
    source BIGINT NOT NULL,        -- the client's item (relief: the application)
    attempt INTEGER NOT NULL,      -- 1, 2, …: a failed line sent again is a new attempt
    payee TEXT NOT NULL,           -- the payee's code (a household)
    place TEXT NOT NULL,           -- the payee's place (its village)
    amount BIGINT NOT NULL,
    card_mask TEXT NOT NULL,
    card_ref TEXT NOT NULL,        -- digest of the card when sent ('' for lines sent before 0025)
    status TEXT NOT NULL,          -- sent, paid, failed
    code TEXT NOT NULL,            -- a failed line's reason code: refused, account_invalid, returned
    reason TEXT NOT NULL,          -- the bank's words
    sent_transfer BIGINT NOT NULL,
    settled_transfer BIGINT NOT NULL,
    settled_at BIGINT NOT NULL,
    PRIMARY KEY (county, batch, line)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX payout_lines_attempt ON payout_lines (county, kind, source, attempt);

INSERT INTO payout_batches (county, id, kind, lines, total, bound, instruction, created_at, created_by)
    SELECT county, id, 'relief', lines, total, max_app, instruction, created_at, created_by FROM relief_batches;
INSERT INTO payout_lines (county, batch, line, kind, source, attempt, payee, place, amount, card_mask, card_ref, status, code, reason, sent_transfer, settled_transfer, settled_at)
    SELECT county, batch, line, 'relief', application, attempt, household, village, amount, card_mask, '', status,
        CASE WHEN status = 'failed' THEN 'returned' ELSE '' END, reason, sent_transfer, settled_transfer, settled_at FROM relief_lines;
DROP TABLE relief_lines;
DROP TABLE relief_batches;
