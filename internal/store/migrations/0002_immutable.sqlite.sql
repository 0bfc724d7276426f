-- 0002 (SQLite): postings and audit entries are immutable. A correction is a
-- reversing transfer; nothing updates or deletes these rows. The triggers are
-- a storage guarantee, not a business rule; `onepool verify` still detects
-- edits made by someone who drops them.
CREATE TRIGGER ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger_transfers are immutable: post a reversing transfer'); END;
CREATE TRIGGER ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger_transfers are immutable: post a reversing transfer'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
