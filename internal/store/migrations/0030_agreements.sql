-- 0030: benefit agreements (协议, M-30 … M-33): township ↔ household
-- direct subsidies (kind subsidy), entity ↔ households with the
-- township's entrustment (kind entity: form guaranteed or equity), credit
-- union ↔ household loan records (kind loan). The review runs on the
-- workflow engine (wf_items kind 'agreement', subject the id); the money
-- invested is read from the ledger when the agreement is drafted and kept
-- here with its channel legs (legs: JSON [{"channel","amount"}]).
CREATE TABLE ag_agreements (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,             -- subsidy, entity, loan
    form TEXT NOT NULL,             -- entity kind: guaranteed, equity; '' otherwise
    place TEXT NOT NULL,            -- subsidy, loan: the household's village; entity: the township
    township TEXT NOT NULL,         -- the township (for filters)
    entity TEXT NOT NULL,           -- ent_entities.uscc (entity kind); '' otherwise
    project TEXT NOT NULL,          -- the project whose money was invested (entity kind)
    lender TEXT NOT NULL,           -- the credit union (loan kind)
    purpose TEXT NOT NULL,
    amount BIGINT NOT NULL,         -- fen: the subsidy, the loan, or the money invested
    legs TEXT NOT NULL,             -- JSON: the invested money's channel legs
    start_date TEXT NOT NULL,       -- YYYY-MM-DD
    term_years INTEGER NOT NULL,
    rates TEXT NOT NULL,            -- JSON: the guaranteed dividend's yearly rates, basis points
    collateral_kind TEXT NOT NULL,  -- money, fixed_assets
    collateral BIGINT NOT NULL,     -- fen
    households_share BIGINT NOT NULL, -- equity: the households' share of the returns, basis points
    manager TEXT NOT NULL,          -- equity: the manager the implementing unit sends
    witnesses TEXT NOT NULL,        -- the 民生监督员/群众代表 present at the negotiation, by name
    state TEXT NOT NULL,            -- drafted, review, signed, active, ended, renewed, terminated, rejected
    item BIGINT NOT NULL,           -- wf_items.id (0 before the negotiation)
    renews BIGINT NOT NULL,         -- the agreement this one renews (0: none)
    accepted_at BIGINT NOT NULL,    -- subsidy: the result accepted (0: not yet)
    accepted_by TEXT NOT NULL,
    reason TEXT NOT NULL,           -- why it ended or was terminated
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX ag_agreements_place ON ag_agreements (county, place, id);
CREATE INDEX ag_agreements_entity ON ag_agreements (county, entity, project);

-- The households of an agreement (one for subsidy and loan kinds), with
-- their quantified shares (equity form; 0 otherwise).
CREATE TABLE ag_households (
    county TEXT NOT NULL,
    agreement BIGINT NOT NULL,
    household TEXT NOT NULL,        -- reg_households.code
    shares BIGINT NOT NULL,
    PRIMARY KEY (county, agreement, household)
) {{WITHOUT_ROWID}};
CREATE INDEX ag_households_household ON ag_households (county, household, agreement);

-- Follow-up notes (loan kind, and any agreement).
CREATE TABLE ag_notes (
    county TEXT NOT NULL,
    agreement BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    note TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user TEXT NOT NULL,
    PRIMARY KEY (county, agreement, seq)
) {{WITHOUT_ROWID}};
