-- 0006: the policy profile each county uses, with its overrides (a TOML
-- fragment). The profiles themselves ship in the binary (internal/policy).
CREATE TABLE county_policies (
    county TEXT NOT NULL,
    profile TEXT NOT NULL,
    overrides TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county)
) {{WITHOUT_ROWID}};
