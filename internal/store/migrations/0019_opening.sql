-- 0019: adopting mid-year. A county that starts using onepool part-way
-- through its year enters what its accounts already hold as one opening
-- set (期初余额): per account and channel, under one 文号 and one document
-- date, approved by a second person as a money instruction (kind
-- "opening") before it posts. The rows wait here, not in the
-- instruction's payload (which freezes their digest): a county's set may
-- have 200,000 rows.
CREATE TABLE adopt_openings (
    county TEXT NOT NULL,
    instruction BIGINT NOT NULL,   -- the money instruction that approves it
    doc_no TEXT NOT NULL,          -- 文号
    day TEXT NOT NULL,             -- 凭证日期, YYYY-MM-DD
    rows_count BIGINT NOT NULL,
    total BIGINT NOT NULL,         -- fen
    digest TEXT NOT NULL,          -- SHA-256 of the rows, frozen in the instruction
    state TEXT NOT NULL,           -- pending, posted, rejected
    maker TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    posted_at BIGINT NOT NULL,     -- 0 until posted
    PRIMARY KEY (county, instruction)
) {{WITHOUT_ROWID}};
-- At most one posted opening set per county, whatever races.
CREATE UNIQUE INDEX adopt_openings_posted ON adopt_openings (county) WHERE state = 'posted';

CREATE TABLE adopt_opening_rows (
    county TEXT NOT NULL,
    instruction BIGINT NOT NULL,
    line BIGINT NOT NULL,          -- the file's row number (or the JSON row's index + 1)
    account TEXT NOT NULL,
    channel TEXT NOT NULL,
    amount BIGINT NOT NULL,        -- fen, > 0
    PRIMARY KEY (county, instruction, line)
) {{WITHOUT_ROWID}};
