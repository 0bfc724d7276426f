-- 0018: a county's settings kept by its administrator (系统 → 设置): the
-- public address printed notices and their QR codes point to.
CREATE TABLE county_settings (
    county TEXT NOT NULL,
    skey TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (county, skey)
) {{WITHOUT_ROWID}};
