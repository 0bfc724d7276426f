-- 0004: accounts by kind, for lists filtered by kind (all projects, all
-- channel accounts) in a county of 200,000 households.
CREATE INDEX ledger_accounts_kind ON ledger_accounts (county, kind, id);
