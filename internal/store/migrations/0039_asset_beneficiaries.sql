-- 0039: the households an operating asset's households' share is paid to
-- (收益分配对象名单), kept with the asset so that a county-wide
-- distribution run (instruct kind asset_county_run) names each asset's
-- households without a form per asset. Set (replaced whole) through the
-- API; each household checked as a single run's named households are (of
-- the asset's village or a co-owning one). weight: the household's part
-- of the households' share (1 = equal shares).
CREATE TABLE as_beneficiaries (
    county TEXT NOT NULL,
    asset BIGINT NOT NULL,
    household TEXT NOT NULL,        -- reg_households.code
    weight BIGINT NOT NULL,
    PRIMARY KEY (county, asset, household)
) {{WITHOUT_ROWID}};

-- (The register's list index, as_assets_list, is 0036's: the list reads
-- it alone. See docs/PERFORMANCE.md.)
