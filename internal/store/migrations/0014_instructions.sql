-- 0014: two people on money. A money instruction (资金指令) is a money
-- move entered by one person and approved by another before anything is
-- posted: allocations, payments, reclaims and switches, reversals,
-- adjustments, relief payout batches and the bank's return files. Its
-- review is a workflow item (kind "instruction"); its payload is frozen
-- when it is entered and posted as it was approved.
CREATE TABLE money_instructions (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,            -- allocation, payment, reclaim, switch, reversal, adjustment, relief_batch, bank_return
    ikey TEXT NOT NULL,            -- the maker's idempotency key
    place TEXT NOT NULL,           -- the place the money belongs to (who sees it)
    amount BIGINT NOT NULL,        -- fen, for the thresholds and the queue
    summary TEXT NOT NULL,         -- what the approver reads
    subject TEXT NOT NULL,         -- the record it moves money of (a project code, a batch, …)
    payload TEXT NOT NULL,         -- JSON, frozen at entry
    state TEXT NOT NULL,           -- pending, posted, rejected
    item BIGINT NOT NULL,          -- the workflow item of its approval
    maker TEXT NOT NULL,
    approver TEXT NOT NULL,        -- who gave the last approval ('' before)
    result TEXT NOT NULL,          -- JSON list of the posted transfer ids
    created_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX money_instructions_key ON money_instructions (county, kind, ikey);
CREATE INDEX money_instructions_state ON money_instructions (county, state, place);

-- Whoever changed an item's subject after it was submitted (a project's
-- budget, a household's year behind an application) is one of its makers
-- for every later step: comma-separated user names.
ALTER TABLE wf_items ADD COLUMN editors TEXT NOT NULL DEFAULT '';

-- What a notice shows, frozen when it is posted (a digest of the amount,
-- the beneficiaries, the budget): a change afterwards voids the notice.
ALTER TABLE wf_notices ADD COLUMN shown TEXT NOT NULL DEFAULT '';

-- A relief payout batch approved as an instruction sends only the
-- applications it was approved with (ids up to max_app; 0: no bound).
ALTER TABLE relief_batches ADD COLUMN max_app BIGINT NOT NULL DEFAULT 0;
ALTER TABLE relief_batches ADD COLUMN instruction BIGINT NOT NULL DEFAULT 0;
