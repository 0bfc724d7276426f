-- 0020: adopting onepool mid-year. The approved annual plan is imported as
-- a batch that a second person approves (its rows wait here, frozen, until
-- then); projects approved on paper keep their approval document; notices
-- held on village boards are recorded after the fact with a photo.
CREATE TABLE prj_plan_imports (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    projects INTEGER NOT NULL,    -- how many rows (projects)
    total BIGINT NOT NULL,        -- their budgets, fen
    payload TEXT NOT NULL,        -- JSON: the checked rows, exactly what will be written
    state TEXT NOT NULL,          -- pending, approved, rejected
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};

-- The approval document of a project approved on paper (批复文号, date,
-- who approved); empty for projects approved in onepool.
ALTER TABLE fund_projects ADD COLUMN approval_doc TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_projects ADD COLUMN approval_day TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_projects ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';

-- A notice held on paper and recorded after the fact: paper = 1 and the
-- volume file of the board's photo.
ALTER TABLE wf_notices ADD COLUMN paper INTEGER NOT NULL DEFAULT 0;
ALTER TABLE wf_notices ADD COLUMN photo BIGINT NOT NULL DEFAULT 0;
