-- 0035: the register of project assets (扶贫项目资产, M-50): what a project
-- built, its type (operating 经营性, public_welfare 公益性, household 到户类),
-- its original value with the channel legs of the money that built it
-- (as_legs, read from the project's payments when the asset is
-- registered), its ownership confirmed (确权) to the village collective or
-- the household, the villages' quantified shares when several co-own it,
-- and its history (as_events, kept when the asset is disposed of). An
-- operating asset has a ledger account (ast:ID, kind asset) its income
-- arrives in.
CREATE TABLE as_assets (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    code TEXT NOT NULL,             -- 资产编号, unique per county (ZC000001 unless imported with its own)
    project TEXT NOT NULL,          -- fund_projects.code that built it ('' for one registered before onepool)
    name TEXT NOT NULL,
    type TEXT NOT NULL,             -- operating, public_welfare, household
    category TEXT NOT NULL,         -- road, water, workshop, greenhouse, building, equipment, livestock, plantation, pv, other
    place TEXT NOT NULL,            -- the village it is in (division code)
    location TEXT NOT NULL,         -- where, in words
    quantity BIGINT NOT NULL,       -- thousandths of the unit (1.5 km → 1500)
    unit TEXT NOT NULL,             -- 公里, 平方米, 座, 头 …
    value BIGINT NOT NULL,          -- original value (原值), fen; = the sum of its legs when built by a project
    book_value BIGINT NOT NULL,     -- book value (账面价值), fen: the original value until a valuation says otherwise
    built_on TEXT NOT NULL,         -- YYYY-MM-DD: the project's acceptance (or the imported date)
    status TEXT NOT NULL,           -- registered (待确权), confirmed (已确权), disposing (处置中), disposed (已处置)
    use_state TEXT NOT NULL,        -- '' (in use), leased (出租), invested (入股), idle (闲置)
    owner_kind TEXT NOT NULL,       -- collective, household ('' before 确权)
    owner TEXT NOT NULL,            -- the collective's USCC or the household's code
    confirm_doc TEXT NOT NULL,      -- the confirming document (确权文件 文号)
    confirmed_at BIGINT NOT NULL,
    confirmed_by TEXT NOT NULL,
    keeper_unit TEXT NOT NULL,      -- 管护责任单位
    keeper_person TEXT NOT NULL,    -- 管护责任人
    account TEXT NOT NULL,          -- its ledger account (ast:ID) for an operating asset; '' otherwise
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX as_assets_code ON as_assets (county, code);
CREATE INDEX as_assets_place ON as_assets (county, place, id);
CREATE INDEX as_assets_project ON as_assets (county, project, id);
CREATE INDEX as_assets_type ON as_assets (county, type, place, id);
CREATE INDEX as_assets_status ON as_assets (county, status, place, id);

-- The channel legs of an asset's original value.
CREATE TABLE as_legs (
    county TEXT NOT NULL,
    asset BIGINT NOT NULL,
    channel TEXT NOT NULL,          -- ledger channel code
    amount BIGINT NOT NULL,         -- fen
    PRIMARY KEY (county, asset, channel)
) {{WITHOUT_ROWID}};

-- Villages' quantified shares (量化到村) of an asset several villages own.
CREATE TABLE as_shares (
    county TEXT NOT NULL,
    asset BIGINT NOT NULL,
    village TEXT NOT NULL,
    share BIGINT NOT NULL,          -- basis points; an asset's shares sum to 10000
    PRIMARY KEY (county, asset, village)
) {{WITHOUT_ROWID}};

-- An asset's history: registered, confirmed, handed over, leased, upkeep,
-- valued, disposed … (what, by whom, when; the details as JSON).
CREATE TABLE as_events (
    county TEXT NOT NULL,
    asset BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (county, asset, seq)
) {{WITHOUT_ROWID}};
