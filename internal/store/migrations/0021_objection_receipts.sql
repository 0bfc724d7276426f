-- 0021: public objections get a receipt number (受理编号) for the public
-- lookup, and the office that must answer them: role and level (the
-- review queue's columns), the item's place, and the reply deadline
-- (microseconds; 0: none). Objections filed before this migration keep
-- an empty receipt (the lookup never finds them) and go to the
-- rural-revitalization bureau at the county, with no deadline.
ALTER TABLE wf_objections ADD COLUMN receipt TEXT NOT NULL DEFAULT '';
ALTER TABLE wf_objections ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE wf_objections ADD COLUMN answer_role TEXT NOT NULL DEFAULT 'rural';
ALTER TABLE wf_objections ADD COLUMN answer_level TEXT NOT NULL DEFAULT 'county';
ALTER TABLE wf_objections ADD COLUMN due_at BIGINT NOT NULL DEFAULT 0;

UPDATE wf_objections SET place = COALESCE((SELECT n.place FROM wf_notices n
    WHERE n.county = wf_objections.county AND n.id = wf_objections.notice), '');

-- The objection queues: equality on role, level and status, the place
-- subtree as a range, and the deadline so that the sort reads no row.
CREATE INDEX wf_objections_queue ON wf_objections (county, answer_role, answer_level, status, place, due_at);
