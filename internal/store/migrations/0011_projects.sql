-- 0011: the project library and lifecycle (M-10, M-13, M-14, M-16). The
-- project record of 0007 grows: its status in the lifecycle, its plan,
-- implementing unit, responsible leader and team (五个一), budget,
-- performance goals, how it links farmers (联农带农), and its after-care.
-- Projects recorded before the library existed were allocated money, so
-- they count as approved.
ALTER TABLE fund_projects ADD COLUMN status TEXT NOT NULL DEFAULT 'approved';
ALTER TABLE fund_projects ADD COLUMN plan_year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fund_projects ADD COLUMN unit TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_projects ADD COLUMN leader TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_projects ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_projects ADD COLUMN budget BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fund_projects ADD COLUMN goals TEXT NOT NULL DEFAULT '[]';
ALTER TABLE fund_projects ADD COLUMN link_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_projects ADD COLUMN link_households INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fund_projects ADD COLUMN link_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_projects ADD COLUMN asset_state TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_projects ADD COLUMN score INTEGER NOT NULL DEFAULT -1;
ALTER TABLE fund_projects ADD COLUMN score_note TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_projects ADD COLUMN status_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX fund_projects_status ON fund_projects (county, status, place);
-- Covering for the per-township status counts.
CREATE INDEX fund_projects_place ON fund_projects (county, place, status, plan_year);

-- The lifecycle's events: every status change, by whom, when, why.
CREATE TABLE project_events (
    county TEXT NOT NULL,
    project TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status_from TEXT NOT NULL,
    status_to TEXT NOT NULL,
    day TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (county, project, seq)
) {{WITHOUT_ROWID}};

-- Performance tracking (绩效目标跟踪, M-14): a goal's value on a day.
CREATE TABLE project_tracking (
    county TEXT NOT NULL,
    project TEXT NOT NULL,
    seq INTEGER NOT NULL,
    day TEXT NOT NULL,
    indicator TEXT NOT NULL,
    value TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (county, project, seq)
) {{WITHOUT_ROWID}};

-- Inspections early / mid / late (前中后三段督查, 003) with findings and
-- photos (volume file ids).
CREATE TABLE project_inspections (
    county TEXT NOT NULL,
    project TEXT NOT NULL,
    seq INTEGER NOT NULL,
    phase TEXT NOT NULL,
    day TEXT NOT NULL,
    inspector TEXT NOT NULL,
    findings TEXT NOT NULL,
    files TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (county, project, seq)
) {{WITHOUT_ROWID}};

-- Violations (M-16): funds reclaimed to the pool, or the project switched
-- (its money moved to another approved project); the ledger transfers
-- keep every channel leg.
CREATE TABLE project_violations (
    county TEXT NOT NULL,
    project TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,           -- reclaim, switch
    amount BIGINT NOT NULL,
    to_project TEXT NOT NULL,
    transfers TEXT NOT NULL,      -- ledger transfer ids
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (county, project, seq)
) {{WITHOUT_ROWID}};
