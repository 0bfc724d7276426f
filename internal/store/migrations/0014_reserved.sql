-- 0014 is another branch's migration (issue 11). This placeholder keeps the
-- versions gapless on the branch that added 0015; delete it when merging
-- the branch that owns 0014.
SELECT 1;
