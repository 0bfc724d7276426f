-- 0036: the asset register's handovers (资产移交), upkeep (管护: a plan of
-- inspections every N months and its records, a repair's cost paid by a
-- money instruction of the funds capability) and disposals (处置: 拍卖、
-- 转让、转产、报停、报损、报废) reviewed on the workflow engine (kind
-- asset_disposal), with their proceeds returned to the village collective.
CREATE TABLE as_handovers (
    county TEXT NOT NULL,
    asset BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    from_unit TEXT NOT NULL,        -- who handed over (the implementing unit)
    to_unit TEXT NOT NULL,          -- who received
    on_day TEXT NOT NULL,           -- YYYY-MM-DD
    doc_no TEXT NOT NULL,           -- 移交文件 文号
    files TEXT NOT NULL,            -- volume file ids, comma-separated ('' none)
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, asset, seq)
) {{WITHOUT_ROWID}};

-- One plan per asset: an inspection every every_months months; next_due
-- is the day the next inspection is due (the desk's overdue list reads
-- as_upkeep_due).
CREATE TABLE as_upkeep_plans (
    county TEXT NOT NULL,
    asset BIGINT NOT NULL,
    every_months INTEGER NOT NULL,
    next_due TEXT NOT NULL,         -- YYYY-MM-DD
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, asset)
) {{WITHOUT_ROWID}};
CREATE INDEX as_upkeep_due ON as_upkeep_plans (county, next_due, asset);

CREATE TABLE as_upkeep (
    county TEXT NOT NULL,
    asset BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,             -- inspection, repair
    on_day TEXT NOT NULL,           -- YYYY-MM-DD
    cost BIGINT NOT NULL,           -- fen (a repair's cost; 0 for an inspection)
    instruction BIGINT NOT NULL,    -- the payment instruction of the cost (0 none)
    note TEXT NOT NULL,
    files TEXT NOT NULL,            -- volume file ids (photos), comma-separated
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, asset, seq)
) {{WITHOUT_ROWID}};

CREATE TABLE as_disposals (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    asset BIGINT NOT NULL,
    kind TEXT NOT NULL,             -- auction, transfer, change_use, suspend, loss, scrap
    reason TEXT NOT NULL,
    resolution TEXT NOT NULL,       -- the villagers' congress resolution (决议 文号/摘要)
    minutes BIGINT NOT NULL,        -- volume file id of its minutes (会议纪要)
    proceeds BIGINT NOT NULL,       -- fen: sale or salvage amount (0 none)
    item BIGINT NOT NULL,           -- wf_items id (kind asset_disposal)
    state TEXT NOT NULL,            -- pending, approved, rejected
    transfer BIGINT NOT NULL,       -- the asset_proceeds transfer (0 none)
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    decided_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX as_disposals_asset ON as_disposals (county, asset, id);

-- The register's list reads the subtree's key range in (place, id) order
-- with every filter's column in the index itself (status, type,
-- category, code, name): the capped count, the filters and the search of
-- a page read the index alone and look up only the page's rows.
CREATE INDEX as_assets_list ON as_assets (county, place, id, status, type, category, code, name);
