-- 0005: read models for the dashboard and the trace at county scale.
--
-- Trace nodes (and account codes) are read by id in IN lists of up to 500
-- ids; a covering index answers them without touching the table.
CREATE INDEX ledger_accounts_nodes ON ledger_accounts (county, id, code, kind, place, name);

-- Money per place × account kind × channel, kept by RefreshProjections
-- like the flows: what the dashboard sums for a township or a village (a
-- few hundred rows instead of every household's balance).
CREATE TABLE ledger_place_totals (
    county TEXT NOT NULL,
    place TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel_id BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (county, place, kind, channel_id)
) {{WITHOUT_ROWID}};


-- Flows know the kind of their destination, and flows into households are
-- also kept grouped by (channel, source, village): a channel's trace at
-- county scale reads the few hundred flows between institutional accounts
-- and the groups, instead of one row per household.
ALTER TABLE ledger_flows ADD COLUMN to_kind TEXT NOT NULL DEFAULT '';
-- The flows into accounts other than households (few: channels, pool,
-- projects, entities…), kept apart so that reading them never depends on
-- the planner guessing how skewed to_kind is.
CREATE TABLE ledger_flows_inst (
    county TEXT NOT NULL,
    channel_id BIGINT NOT NULL,
    from_account BIGINT NOT NULL,
    to_account BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (county, channel_id, from_account, to_account)
) {{WITHOUT_ROWID}};
CREATE TABLE ledger_flow_groups (
    county TEXT NOT NULL,
    channel_id BIGINT NOT NULL,
    from_account BIGINT NOT NULL,
    to_place TEXT NOT NULL,
    amount BIGINT NOT NULL,
    n BIGINT NOT NULL,
    accounts BIGINT NOT NULL,
    PRIMARY KEY (county, channel_id, from_account, to_place)
) {{WITHOUT_ROWID}};

-- Rebuild the projections from the transfers so the new ones start whole.
DELETE FROM ledger_flows;
DELETE FROM ledger_flows_inst;
DELETE FROM ledger_touches;
UPDATE ledger_heads SET projected_through = 0;
