-- 0001: the ledger and the audit log.
--
-- Every table leads with the county code (the 6-digit prefix of the county's
-- division code) and its primary key starts with it, so that a province can
-- shard by county on a distributed PostgreSQL-compatible engine.
-- Money is BIGINT fen. Timestamps are BIGINT microseconds since the Unix epoch
-- (UTC). Booleans are INTEGER 0/1. Hashes are BYTEA (SQLite stores the blob).
-- {{WITHOUT_ROWID}} becomes WITHOUT ROWID on SQLite (one b-tree per table
-- instead of a rowid table plus a primary-key index) and nothing on PostgreSQL.

-- One row per county: the head of the ledger's hash chain and the id
-- counters. Every ledger write locks this row first (SELECT … FOR UPDATE on
-- PostgreSQL; SQLite has one writer), which serializes a county's postings:
-- no-overdraft checks read settled balances and the chain has no forks.
CREATE TABLE ledger_heads (
    county TEXT NOT NULL,
    last_transfer_id BIGINT NOT NULL,
    last_hash BYTEA NOT NULL,
    last_account_id BIGINT NOT NULL,
    last_channel_id BIGINT NOT NULL,
    projected_through BIGINT NOT NULL,
    PRIMARY KEY (county)
);

-- Fund channels (资金渠道) as the ledger knows them: a code to tag legs with.
-- The funds capability keeps the channel's level, category and purposes.
CREATE TABLE ledger_channels (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX ledger_channels_code ON ledger_channels (county, code);

CREATE TABLE ledger_accounts (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    place TEXT NOT NULL,
    no_overdraft INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (county, code)
) {{WITHOUT_ROWID}};
-- Postings resolve accounts by code (the primary key); reads resolve ids.
CREATE UNIQUE INDEX ledger_accounts_id ON ledger_accounts (county, id);
CREATE INDEX ledger_accounts_place ON ledger_accounts (county, place, id);

-- A transfer moves money from one account to another in one or more legs,
-- each tagged with a channel. legs is "channelID:fen;channelID:fen" in the
-- order given. hash = SHA-256(previous transfer's hash ‖ canonical content).
CREATE TABLE ledger_transfers (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_account BIGINT NOT NULL,
    to_account BIGINT NOT NULL,
    legs TEXT NOT NULL,
    total BIGINT NOT NULL,
    memo TEXT NOT NULL,
    doc_no TEXT NOT NULL,
    reverses BIGINT,
    posted_at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX ledger_transfers_key ON ledger_transfers (county, idem_key);
-- A transfer can be reversed at most once.
CREATE UNIQUE INDEX ledger_transfers_reverses ON ledger_transfers (county, reverses) WHERE reverses IS NOT NULL;

-- Balances per account × channel, kept by every posting (O(1) reads).
CREATE TABLE ledger_balances (
    county TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    balance BIGINT NOT NULL,
    last_transfer_id BIGINT NOT NULL,
    PRIMARY KEY (county, account_id, channel_id)
) {{WITHOUT_ROWID}};

-- The first transfer id of each local (UTC+8) day: balances "as of" a date.
CREATE TABLE ledger_days (
    county TEXT NOT NULL,
    day TEXT NOT NULL,
    first_transfer_id BIGINT NOT NULL,
    PRIMARY KEY (county, day)
) {{WITHOUT_ROWID}};

-- Projections of the transfers, kept up to ledger_heads.projected_through
-- by RefreshProjections (on demand before a read, and in the background):
-- posting writes only what a posting must (the transfer, its key, the
-- balances), and the read models follow. See docs/ARCHITECTURE.md.
--
-- The transfers that touched an account (account statements, as-of balances).
CREATE TABLE ledger_touches (
    county TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    transfer_id BIGINT NOT NULL,
    PRIMARY KEY (county, account_id, transfer_id)
) {{WITHOUT_ROWID}};

-- Money moved per (channel, from, to): what trace reads.
CREATE TABLE ledger_flows (
    county TEXT NOT NULL,
    channel_id BIGINT NOT NULL,
    from_account BIGINT NOT NULL,
    to_account BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (county, channel_id, from_account, to_account)
) {{WITHOUT_ROWID}};
CREATE INDEX ledger_flows_to ON ledger_flows (county, to_account, channel_id);

-- The audit log (操作日志): who did what, when, before and after; hash-chained
-- per county like the transfers. County "000000" holds system-wide entries.
CREATE TABLE audit_heads (
    county TEXT NOT NULL,
    last_id BIGINT NOT NULL,
    last_hash BYTEA NOT NULL,
    PRIMARY KEY (county)
);

CREATE TABLE audit_log (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    place TEXT NOT NULL,
    outcome TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX audit_log_actor ON audit_log (county, actor, id);
CREATE INDEX audit_log_action ON audit_log (county, action, id);
