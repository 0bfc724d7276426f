-- 0012: the households registry (M-20). Sensitive fields — resident ID
-- numbers, bank card numbers, illness and other causes — are stored only
-- encrypted (AES-256-GCM, key outside the database) with a keyed hash of
-- the normalized value for look-ups and duplicate detection, and a masked
-- form for display.
CREATE TABLE reg_households (
    county TEXT NOT NULL,
    code TEXT NOT NULL,            -- e.g. the village code + a sequence
    village TEXT NOT NULL,
    head TEXT NOT NULL,            -- the head of household's name
    card_holder TEXT NOT NULL,     -- bank account holder's name
    card_bank TEXT NOT NULL,
    card_enc TEXT NOT NULL,        -- base64(nonce‖ciphertext); '' when none
    card_hash TEXT NOT NULL,       -- hex keyed hash of the normalized number; '' when none
    card_mask TEXT NOT NULL,
    members_alive INTEGER NOT NULL, -- living members, kept by every save (year records divide by it)
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, code)
) {{WITHOUT_ROWID}};
CREATE INDEX reg_households_village ON reg_households (county, village, code);
CREATE INDEX reg_households_card ON reg_households (county, card_hash);

CREATE TABLE reg_members (
    county TEXT NOT NULL,
    household TEXT NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    id_enc TEXT NOT NULL,
    id_hash TEXT NOT NULL,
    id_mask TEXT NOT NULL,
    relation TEXT NOT NULL,        -- 户主, 配偶, 子女, 父母, …
    birth TEXT NOT NULL,           -- YYYY-MM-DD (from the ID number)
    alive INTEGER NOT NULL,
    PRIMARY KEY (county, household, seq)
) {{WITHOUT_ROWID}};
CREATE INDEX reg_members_id ON reg_members (county, id_hash);

-- A household's year: status, causes (encrypted: illness is sensitive),
-- income and expenses; per-capita net income is derived, never typed.
-- The household's village and living members are copied in (every save of
-- the household updates them) so that screening a year for relief is one
-- range scan of the primary key, not a million look-ups.
CREATE TABLE reg_years (
    county TEXT NOT NULL,
    year INTEGER NOT NULL,
    household TEXT NOT NULL,
    village TEXT NOT NULL,         -- copy of reg_households.village
    members_alive INTEGER NOT NULL, -- copy of reg_households.members_alive
    status TEXT NOT NULL,          -- poor, exited, monitored, edge, non_poor_agricultural, non_poor
    stable INTEGER NOT NULL,       -- exited and stably out of poverty (稳定脱贫)
    causes_enc TEXT NOT NULL,      -- sealed, padded to 32-byte blocks (the length does not tell the cause)
    income BIGINT NOT NULL,
    expenses BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, year, household)
) {{WITHOUT_ROWID}};
CREATE INDEX reg_years_household ON reg_years (county, household, year);

-- Duplicate leads: the same ID in two households, one card on several
-- households. A manager may override a lead with a reason (audited).
CREATE TABLE reg_leads (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,            -- duplicate_id, shared_card
    hash TEXT NOT NULL,
    households TEXT NOT NULL,      -- comma-separated codes
    status TEXT NOT NULL,          -- open, overridden, resolved (fewer than two households left)
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX reg_leads_hash ON reg_leads (county, kind, hash);

-- The households of a lead, to find a household's leads and a place's.
CREATE TABLE reg_lead_households (
    county TEXT NOT NULL,
    household TEXT NOT NULL,
    lead BIGINT NOT NULL,
    PRIMARY KEY (county, household, lead)
) {{WITHOUT_ROWID}};
CREATE INDEX reg_lead_households_lead ON reg_lead_households (county, lead);
