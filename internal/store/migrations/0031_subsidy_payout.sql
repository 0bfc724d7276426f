-- 0031: a direct subsidy (ag_agreements kind 'subsidy') is paid through
-- the payout mechanism (payout_lines kind 'subsidy', source = the
-- agreement's id) once its result is accepted. pay_status: '' (not due),
-- waiting (accepted, not yet sent), sending (at the bank), paid, failed
-- (the bank returned it: correct the card, send again); attempts counts
-- its payout lines; paid_transfer is the ledger transfer that paid it.
ALTER TABLE ag_agreements ADD COLUMN pay_status TEXT NOT NULL DEFAULT '';
ALTER TABLE ag_agreements ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ag_agreements ADD COLUMN paid_transfer BIGINT NOT NULL DEFAULT 0;
CREATE INDEX ag_agreements_pay ON ag_agreements (county, pay_status, id);
