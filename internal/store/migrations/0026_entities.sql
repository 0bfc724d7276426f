-- 0026: the register of business entities (经营主体, M-21) and the
-- households each drives (带动, M-23). An entity's money is not kept here:
-- it is its ledger account's (account), read from the ledger.
-- The legal representative's ID number and the bank account number are
-- stored only sealed (registry.Keys: AES-256-GCM, key outside the
-- database) beside a keyed hash and a masked form.
CREATE TABLE ent_entities (
    county TEXT NOT NULL,
    uscc TEXT NOT NULL,            -- unified social credit code (GB 32100), unique per county
    kind TEXT NOT NULL,            -- collective, leading, cooperative, family_farm, park
    name TEXT NOT NULL,
    place TEXT NOT NULL,           -- division code: county, township or village
    account TEXT NOT NULL,         -- its ledger account code (kind entity, or collective)
    legal_rep TEXT NOT NULL,       -- the legal representative's name
    rep_id_enc TEXT NOT NULL,      -- their resident ID, sealed; '' when not kept
    rep_id_hash TEXT NOT NULL,
    rep_id_mask TEXT NOT NULL,
    bank_holder TEXT NOT NULL,     -- the bank account's holder
    bank TEXT NOT NULL,            -- the bank
    bank_enc TEXT NOT NULL,        -- the account number, sealed; '' when none
    bank_hash TEXT NOT NULL,
    bank_mask TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, uscc)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX ent_entities_account ON ent_entities (county, account);
CREATE INDEX ent_entities_place ON ent_entities (county, place, uscc);

-- A household an entity drives, by one link type (务工就业, 土地流转, …).
CREATE TABLE ent_links (
    county TEXT NOT NULL,
    entity TEXT NOT NULL,          -- ent_entities.uscc
    household TEXT NOT NULL,       -- reg_households.code
    link_type TEXT NOT NULL,       -- employment, land_transfer, equity, order, trusteeship
    since TEXT NOT NULL,           -- YYYY-MM-DD
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (county, entity, household, link_type)
) {{WITHOUT_ROWID}};
CREATE INDEX ent_links_household ON ent_links (county, household, entity);

-- A household's yearly income effect from an entity (the seed's "≥1,000
-- yuan more a year"), in fen.
CREATE TABLE ent_effects (
    county TEXT NOT NULL,
    entity TEXT NOT NULL,
    household TEXT NOT NULL,
    year INTEGER NOT NULL,
    income BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, entity, household, year)
) {{WITHOUT_ROWID}};
