-- The households list at county scale (200,000 households).
-- A name search is evaluated inside the index: (county, village, code,
-- head) is in the list's order and carries the name, so a village's or
-- a township's search reads the index alone and looks up only the rows
-- of its page. It replaces reg_households_village (its prefix).
-- A status filter is a range of its own: the year's households of one
-- status, in the list's order, inside a place.
CREATE INDEX reg_households_list ON reg_households (county, village, code, head);
DROP INDEX reg_households_village;
CREATE INDEX reg_years_status ON reg_years (county, year, status, village, household);
-- The registry page's first leads: the open ones, then the decided, in
-- id order, without sorting a county's 36,000 leads.
CREATE INDEX reg_leads_status ON reg_leads (county, status, id);
