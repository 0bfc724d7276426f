-- 0015: the fingerprint of the data key (the registry's master key, kept
-- outside the database): HMAC-SHA256(key, "onepool key fingerprint"), hex,
-- written at the key's first use. serve refuses a key that does not match,
-- and never generates a new key for a database that already has one. The
-- table is system-wide (name = 'data'), not per county: one database, one
-- key.
CREATE TABLE system_keys (
    name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (name)
) {{WITHOUT_ROWID}};
