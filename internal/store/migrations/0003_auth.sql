-- 0003: places, users, sessions and API tokens.
--
-- Like every table, these lead with the county code (6 digits). User names
-- are unique across the whole database so that login needs no county.

-- The county → township → village tree (12-digit division codes).
CREATE TABLE places (
    county TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    parent TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, code)
) {{WITHOUT_ROWID}};

-- A user acts with one role within one place subtree. password_hash is an
-- argon2id PHC string. failed_logins counts consecutive failures;
-- locked_until (µs) > now refuses every login.
CREATE TABLE users (
    county TEXT NOT NULL,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    place TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL,
    locked_until BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, username)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX users_username ON users (username);

-- Sessions are found by the SHA-256 of the cookie's token, so a leaked
-- database does not leak live sessions.
CREATE TABLE sessions (
    county TEXT NOT NULL,
    id_hash TEXT NOT NULL,
    username TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (county, id_hash)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX sessions_id ON sessions (id_hash);
CREATE INDEX sessions_user ON sessions (username);

-- Personal API tokens (Authorization: Bearer …), also stored hashed.
CREATE TABLE api_tokens (
    county TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    username TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (county, token_hash)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (username);
