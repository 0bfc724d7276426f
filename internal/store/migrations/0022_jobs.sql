-- 0022: long work runs as a job (internal/jobs): who started it where, its
-- state and progress, and its result (row errors bounded) for the job page.
CREATE TABLE jobs (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    place TEXT NOT NULL,
    started_by TEXT NOT NULL,
    back TEXT NOT NULL,
    state TEXT NOT NULL,
    step TEXT NOT NULL DEFAULT '',
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    started_at BIGINT NOT NULL DEFAULT 0,
    finished_at BIGINT NOT NULL DEFAULT 0,
    result TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE INDEX jobs_state ON jobs (state, county, id);
