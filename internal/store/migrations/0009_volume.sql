-- 0009: one project, one volume (一项目一册, M-15): files kept by content
-- hash in the database (both engines; no path on disk is ever chosen by a
-- client), and each owner's documents as versions that are never replaced.
CREATE TABLE volume_blobs (
    sha256 TEXT NOT NULL PRIMARY KEY,
    size BIGINT NOT NULL,
    content {{BLOB}} NOT NULL
);

CREATE TABLE volume_files (
    county TEXT NOT NULL,
    owner TEXT NOT NULL,          -- what the file belongs to: "project:CODE", later "relief:ID"
    id BIGINT NOT NULL,           -- per county, increasing
    kind TEXT NOT NULL,           -- document type: minutes, application, budget, ...
    name TEXT NOT NULL,           -- the display name (sanitized)
    version INTEGER NOT NULL,     -- 1, 2, … per (owner, kind, name)
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,   -- detected from the content, never from the name
    place TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    PRIMARY KEY (county, id)
) {{WITHOUT_ROWID}};
CREATE UNIQUE INDEX volume_files_version ON volume_files (county, owner, kind, name, version);
