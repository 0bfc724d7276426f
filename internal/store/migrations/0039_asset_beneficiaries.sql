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

-- The register's list (by village, township or county; by status, type,
-- category; the count, the value totals, a name or code search, and the
-- page's ids in village and number order) reads this index only: without
-- it every row of a county-wide list was a look-up of the table by its key
-- (50,000 assets: ~500 ms a list on SQLite). See docs/PERFORMANCE.md.
CREATE INDEX as_assets_list ON as_assets (county, place, id, status, type, category, value, book_value, code, name);
