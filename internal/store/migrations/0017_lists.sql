-- A maker's own items waiting for others (the queue's "等待他人处理").
CREATE INDEX wf_items_maker ON wf_items (county, maker, state, id);
-- The households list filtered by the status of a year, inside a subtree
-- (reg_years keeps a copy of the household's village).
CREATE INDEX reg_years_village ON reg_years (county, year, village, status, household);
