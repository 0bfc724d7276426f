-- 0002 (PostgreSQL): postings and audit entries are immutable; see the SQLite
-- twin of this file.
CREATE FUNCTION onepool_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is immutable: post a reversing transfer', TG_TABLE_NAME USING ERRCODE = '42501';
END;
$$;
CREATE TRIGGER ledger_transfers_no_change BEFORE UPDATE OR DELETE ON ledger_transfers
    FOR EACH ROW EXECUTE FUNCTION onepool_immutable();
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION onepool_immutable();
