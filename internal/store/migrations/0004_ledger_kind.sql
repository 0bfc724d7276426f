-- 0004: accounts by kind. The dashboard sums the few non-household
-- accounts (channels, pool, projects, …) per channel and derives the
-- households' share by conservation, instead of reading every household.
CREATE INDEX ledger_accounts_kind ON ledger_accounts (county, kind, id);
