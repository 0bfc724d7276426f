-- The transfers list (issue 12): a kind filter reads the transfers of that
-- kind newest first, and a document-number search reads only the
-- transfers that have one (arrivals, integrations, allocations: a few
-- thousand among a million payments).
CREATE INDEX ledger_transfers_kind ON ledger_transfers (county, kind, id);
CREATE INDEX ledger_transfers_doc ON ledger_transfers (county, id) WHERE doc_no <> '';

-- The places a transfer touched, for the transfers list of a township or
-- a village (a projection kept by RefreshProjections, like
-- ledger_touches): one row per township prefix (9 digits) and village
-- code (12) of its source and destination accounts. The list of a place
-- reads its range of this key newest first and counts at most
-- ledger.CountCap + 1 of it, instead of testing both accounts of every
-- transfer of the county.
CREATE TABLE ledger_transfer_scopes (
    county TEXT NOT NULL,
    scope TEXT NOT NULL,
    transfer_id BIGINT NOT NULL,
    PRIMARY KEY (county, scope, transfer_id)
) {{WITHOUT_ROWID}};
INSERT INTO ledger_transfer_scopes (county, scope, transfer_id)
SELECT t.county, substr(a.place, 1, 9), t.id FROM ledger_transfers t JOIN ledger_accounts a ON a.county = t.county AND a.id = t.from_account
 JOIN ledger_heads h ON h.county = t.county AND t.id <= h.projected_through WHERE substr(a.place, 7, 3) <> '000'
ON CONFLICT (county, scope, transfer_id) DO NOTHING;
INSERT INTO ledger_transfer_scopes (county, scope, transfer_id)
SELECT t.county, substr(a.place, 1, 9), t.id FROM ledger_transfers t JOIN ledger_accounts a ON a.county = t.county AND a.id = t.to_account
 JOIN ledger_heads h ON h.county = t.county AND t.id <= h.projected_through WHERE substr(a.place, 7, 3) <> '000'
ON CONFLICT (county, scope, transfer_id) DO NOTHING;
INSERT INTO ledger_transfer_scopes (county, scope, transfer_id)
SELECT t.county, a.place, t.id FROM ledger_transfers t JOIN ledger_accounts a ON a.county = t.county AND a.id = t.from_account
 JOIN ledger_heads h ON h.county = t.county AND t.id <= h.projected_through WHERE substr(a.place, 10, 3) <> '000'
ON CONFLICT (county, scope, transfer_id) DO NOTHING;
INSERT INTO ledger_transfer_scopes (county, scope, transfer_id)
SELECT t.county, a.place, t.id FROM ledger_transfers t JOIN ledger_accounts a ON a.county = t.county AND a.id = t.to_account
 JOIN ledger_heads h ON h.county = t.county AND t.id <= h.projected_through WHERE substr(a.place, 10, 3) <> '000'
ON CONFLICT (county, scope, transfer_id) DO NOTHING;
