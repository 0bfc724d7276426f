-- A lead's scope: the smallest place that holds every household of it
-- (a village's code, a township's 9-digit prefix, or the county's 6), so
-- that a place's list of leads is an index range instead of two EXISTS
-- over every lead of the county (36,000 leads of a messy first import
-- took the township's registry page past its time limit).
ALTER TABLE reg_leads ADD COLUMN scope TEXT NOT NULL DEFAULT '';
UPDATE reg_leads SET scope = COALESCE((SELECT CASE WHEN MIN(h.village) = MAX(h.village) THEN MIN(h.village)
        WHEN substr(MIN(h.village), 1, 9) = substr(MAX(h.village), 1, 9) THEN substr(MIN(h.village), 1, 9)
        ELSE substr(MIN(h.village), 1, 6) END
    FROM reg_lead_households lh JOIN reg_households h ON h.county = lh.county AND h.code = lh.household
    WHERE lh.county = reg_leads.county AND lh.lead = reg_leads.id), reg_leads.county);
CREATE INDEX reg_leads_scope ON reg_leads (county, scope, id);
