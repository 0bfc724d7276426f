-- Placeholder so that 0016 (token lifecycle) applies on branch h-authedge,
-- where migration 0014 of another branch does not exist yet. Delete this
-- file when the real 0014 is merged.
SELECT 1;
