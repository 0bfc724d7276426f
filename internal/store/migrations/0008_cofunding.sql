-- 0008: a project run by the village collective itself (村集体自主经营,
-- 003) is co-funded: the village's own money (channels of level "village")
-- and the county's, in the shares the profile names.
ALTER TABLE fund_projects ADD COLUMN collective INTEGER NOT NULL DEFAULT 0;
