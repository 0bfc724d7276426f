-- 0015 (issue 11, operations). The fingerprint of the data key (the registry's master key, kept
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

-- The review queue filters by kind too: with kind in its index the queue is
-- read from the index alone. Without it SQLite scanned the county's items
-- by primary key whenever a kind was asked for, statistics or not (see the
-- plan test in internal/workflow).
DROP INDEX wf_items_queue;
CREATE INDEX wf_items_queue ON wf_items (county, cur_role, cur_level, state, place, due_at, kind);
