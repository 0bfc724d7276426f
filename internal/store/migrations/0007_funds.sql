-- 0007: the funds capability: the channel registry (what the ledger's
-- channel code means), yearly plans per channel, and arrivals with their
-- document date. Money itself is only ever in the ledger.
CREATE TABLE fund_channels (
    county TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    category TEXT NOT NULL,
    department TEXT NOT NULL,
    purposes TEXT NOT NULL,
    integrable INTEGER NOT NULL,
    year INTEGER NOT NULL,
    -- The document day of the channel's first arrival ('' before any):
    -- what the oldest-first allocation rule orders by.
    first_arrival TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, code)
) {{WITHOUT_ROWID}};

CREATE TABLE fund_plans (
    county TEXT NOT NULL,
    channel TEXT NOT NULL,
    year INTEGER NOT NULL,
    amount BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, channel, year)
) {{WITHOUT_ROWID}};

-- One row per channel leg of an arrival, integration or allocation
-- transfer: its document date and year (so that rates and rule checks per
-- year follow the documents, not the posting time) and, for allocations,
-- the project.
CREATE TABLE fund_movements (
    county TEXT NOT NULL,
    transfer_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    project TEXT NOT NULL,
    year INTEGER NOT NULL,
    day TEXT NOT NULL,
    amount BIGINT NOT NULL,
    doc_no TEXT NOT NULL,
    PRIMARY KEY (county, transfer_id, channel)
) {{WITHOUT_ROWID}};
CREATE INDEX fund_movements_project ON fund_movements (county, project, year);
CREATE INDEX fund_movements_year ON fund_movements (county, year, kind, channel);

-- A minimal project record for allocations (the projects capability grows
-- it): its ledger account is prj:CODE, at its village.
CREATE TABLE fund_projects (
    county TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    place TEXT NOT NULL,
    purpose TEXT NOT NULL,
    department TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, code)
) {{WITHOUT_ROWID}};

-- One village, one minutes (一村一纪要, 001): each department's commitment
-- made at an on-site meeting, with its deadline. Fulfilment is computed
-- from allocations, never typed.
CREATE TABLE fund_commitments (
    county TEXT NOT NULL,
    village TEXT NOT NULL,
    minutes_no TEXT NOT NULL,
    department TEXT NOT NULL,
    meeting_day TEXT NOT NULL,
    amount BIGINT NOT NULL,
    deadline TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, village, minutes_no, department)
) {{WITHOUT_ROWID}};

-- Help assignments ("1119", 001): per village its county leader, lead unit,
-- member units and enterprises; and the cadre paired with a household
-- (结对帮扶), by the household's ledger account until the registry exists.
CREATE TABLE fund_assignments (
    county TEXT NOT NULL,
    village TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, village, role, name)
) {{WITHOUT_ROWID}};

CREATE TABLE fund_cadre_pairs (
    county TEXT NOT NULL,
    household TEXT NOT NULL,
    cadre TEXT NOT NULL,
    village TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, household)
) {{WITHOUT_ROWID}};
