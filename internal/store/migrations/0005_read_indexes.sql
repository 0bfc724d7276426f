-- 0005: covering indexes for the trace reads.
--
-- Every key leads with the county, and without sqlite_stat1 SQLite guesses
-- that an equality on an index's first column selects about ten rows. It
-- then prefers the covering WITHOUT ROWID primary key searched on county
-- alone — a scan of the whole county — over a secondary index that needs a
-- second lookup per row. At 200,000 accounts and 1,000,000 flows-projected
-- transfers that made a trace take hundreds of milliseconds. Covering
-- indexes win the planner's comparison without statistics.

-- Trace by account, hop by hop backwards: flows into an account (by channel).
-- Covers what ledger_flows_to does, plus the columns the trace reads.
CREATE INDEX ledger_flows_to_cover ON ledger_flows (county, to_account, channel_id, from_account, amount, n);

-- Trace nodes (and account codes) by id, in IN lists of up to 500 ids.
CREATE INDEX ledger_accounts_nodes ON ledger_accounts (county, id, code, kind, place, name);
