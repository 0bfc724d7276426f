-- 0034: interest-linkage tracking (M-23) and equity termination (M-32).
-- A household's link to an entity can end (ended: YYYY-MM-DD, '' while
-- live; why and who); the yearly report reads the effects of a year by
-- county and year. An equity agreement terminated returns its principal
-- to the village collective through a money instruction
-- (principal_instruction, 0: none entered) whose transfer is
-- principal_transfer (0: not posted yet).
ALTER TABLE ent_links ADD COLUMN ended TEXT NOT NULL DEFAULT '';
ALTER TABLE ent_links ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE ent_links ADD COLUMN ended_by TEXT NOT NULL DEFAULT '';
CREATE INDEX ent_effects_year ON ent_effects (county, year, entity, household);
ALTER TABLE ag_agreements ADD COLUMN principal_instruction BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ag_agreements ADD COLUMN principal_transfer BIGINT NOT NULL DEFAULT 0;
