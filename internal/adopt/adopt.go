// Package adopt is how a county starts using onepool part-way through its
// year (年中启用): what its accounts already hold — per channel, in the
// channel accounts, the pool, projects, households, entities — comes in
// as one opening set (期初余额) under one 文号 and one document date.
//
// Being money, the set is a money instruction (kind "opening") entered by
// one person and approved by another; at the last approval it posts, in
// the approving transaction, as one dated transfer per account from the
// opening account (ext:opening, outside the county's books) with a leg per
// channel. A county has at most one posted opening set; a second is
// refused unless the first was rejected.
package adopt

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/tabular"
)

// OpeningAccount is where opening balances come from: what the county
// held before it used onepool, outside its books here.
const OpeningAccount = "ext:opening"

// OpeningAccountName is the opening account's name.
const OpeningAccountName = "期初结存（启用前余额）"

// MaxRows bounds an opening file: a county of 200,000 households with a
// channel or two each, and its projects and channel accounts.
const MaxRows = 500_000

// Row is one line of an opening set as written: an account (by code), a
// channel (by code) and an amount in yuan as staff write it (元, 万元,
// thousands separators). Line is the file's row number (or the JSON
// row's index + 1), named in every error.
type Row struct {
	Line    int
	Account string
	Channel string
	Amount  string
}

// Opening is an opening set: its rows, one 文号 and one document date
// (凭证日期) for the whole set, and the maker's idempotency key.
type Opening struct {
	Key   string
	DocNo string
	Day   time.Time
	Rows  []Row
}

// Service enters and posts opening sets.
type Service struct {
	db  *store.DB
	l   *ledger.Ledger
	fs  *funds.Service
	ins *instruct.Service
	now clock.Clock
}

// New returns the service; UseInstructions registers its executor.
func New(db *store.DB, l *ledger.Ledger, fs *funds.Service, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	return &Service{db: db, l: l, fs: fs, now: now}
}

// UseInstructions puts opening sets under two-person control.
func (s *Service) UseInstructions(ins *instruct.Service) {
	s.ins = ins
	ins.Register(instruct.Opening, s.exec)
}

// Columns are the opening file's columns (Chinese or English headers).
var Columns = []tabular.Column{
	{Key: "account", Names: []string{"account", "账户代码", "账户"}, Required: true},
	{Key: "channel", Names: []string{"channel", "渠道代码", "渠道"}, Required: true},
	{Key: "amount", Names: []string{"amount", "金额（元）", "金额"}, Required: true},
	{Key: "name", Names: []string{"name", "账户名称"}},
}

// ReadRows reads an opening file (CSV or xlsx, through tabular, bounded
// at MaxRows rows). Its cells are checked by Propose, every row in one
// pass. Errors: tabular's (too_large, a missing column, …).
func ReadRows(r io.Reader) ([]Row, error) {
	t, err := tabular.NewTableLimits(r, Columns, tabular.Limits{Rows: MaxRows})
	if err != nil {
		return nil, err
	}
	defer t.Close()
	var rows []Row
	for t.Next() {
		if t.Empty() {
			continue
		}
		rows = append(rows, Row{Line: t.Row(), Account: t.Cell("account"), Channel: t.Cell("channel"), Amount: t.Cell("amount")})
	}
	if err := t.Err(); err != nil {
		return nil, err
	}
	return rows, nil
}

// payload is what the instruction freezes: the set's heading and the
// digest of its rows (kept in adopt_opening_rows).
type payload struct {
	DocNo  string    `json:"doc_no"`
	Day    string    `json:"day"`
	Rows   int       `json:"rows"`
	Total  money.Fen `json:"total"`
	Digest string    `json:"digest"`
}

type checked struct {
	line    int
	account string
	channel string
	amount  money.Fen
}

func digest(rows []checked) string {
	h := sha256.New()
	for _, r := range rows {
		fmt.Fprintf(h, "%d\t%s\t%s\t%d\n", r.line, r.account, r.channel, int64(r.amount))
	}
	return hex.EncodeToString(h.Sum(nil))
}

const maxRowErrors = 1000

// postChunk is how many transfers one ledger call posts.
const postChunk = 5000

// Propose checks an opening set — every row's every cell in one pass —
// and enters it for approval. Nothing is posted until a second person
// approves it. The same key with the same set returns the instruction
// already entered (Replayed). Errors: Invalid (invalid_rows with every
// bad cell; invalid_doc_no, invalid_date, empty_import), RuleBroken
// (county_only, opening_exists), and instruct's.
func (s *Service) Propose(ctx context.Context, p auth.Principal, o Opening) (instruct.Instruction, error) {
	if p.Place != place.Code(p.County+"000000") {
		return instruct.Instruction{}, errs.F(errs.RuleBroken, "county_only", "", "an opening set is entered by the county's staff")
	}
	o.DocNo = strings.TrimSpace(o.DocNo)
	if o.DocNo == "" {
		return instruct.Instruction{}, errs.F(errs.Invalid, "invalid_doc_no", "doc_no", "the opening set needs its document number (文号)")
	}
	if o.Day.IsZero() {
		return instruct.Instruction{}, errs.F(errs.Invalid, "invalid_date", "day", "the opening set needs its document date (凭证日期)")
	}
	day := clock.Day(o.Day)
	if day > clock.Day(s.now()) {
		return instruct.Instruction{}, errs.F(errs.Invalid, "invalid_date", "day", "the document date %s is after today", day)
	}
	if len(o.Rows) == 0 {
		return instruct.Instruction{}, errs.F(errs.Invalid, "empty_import", "file", "the file needs a header row and at least one data row")
	}
	if strings.TrimSpace(o.Key) == "" {
		o.Key = "opening:" + o.DocNo + ":" + day
	}
	chans, err := s.fs.Channels(ctx, p.County)
	if err != nil {
		return instruct.Instruction{}, err
	}
	registered := map[string]bool{}
	for _, c := range chans {
		registered[c.Code] = true
	}
	var out instruct.Instruction
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		// Up to 500,000 accounts looked up in a table that may have been
		// filled just before (the registry's import): see store.FreshPlans.
		if err := tx.FreshPlans(ctx); err != nil {
			return errs.Wrap(err, "adopt: plans")
		}
		if id, state, err := current(ctx, tx, p.County); err != nil {
			return err
		} else if id != 0 {
			// The same set entered again under its key is a replay (or an
			// idempotency conflict), which ProposeTx answers; anything else
			// is a second set.
			if old, err := s.ins.Get(ctx, p, id); err != nil || old.Key != o.Key {
				return exists(id, state)
			}
		}
		codes := make([]string, 0, len(o.Rows))
		seenCode := map[string]bool{}
		for _, r := range o.Rows {
			if c := strings.TrimSpace(r.Account); c != "" && !seenCode[c] {
				seenCode[c] = true
				codes = append(codes, c)
			}
		}
		accts, err := s.l.AccountsTx(ctx, tx, p.County, codes)
		if err != nil {
			return err
		}
		var bad []tabular.RowError
		omitted := 0
		fail := func(line int, col, format string, args ...any) {
			if len(bad) >= maxRowErrors {
				omitted++
				return
			}
			bad = append(bad, tabular.RowError{Row: line, Column: col, Why: fmt.Sprintf(format, args...), Format: format, Args: args})
		}
		rows := make([]checked, 0, len(o.Rows))
		first := map[[2]string]int{}
		var total money.Fen
		for _, r := range o.Rows {
			c := checked{line: r.Line, account: strings.TrimSpace(r.Account), channel: strings.TrimSpace(r.Channel)}
			ok := true
			if c.account == "" {
				fail(r.Line, "account", "is empty")
				ok = false
			} else if a, found := accts[c.account]; !found {
				fail(r.Line, "account", "account %q does not exist", c.account)
				ok = false
			} else if a.Kind == ledger.External {
				fail(r.Line, "account", "account %q is outside the county's books; an opening balance is money an account of the county holds", c.account)
				ok = false
			}
			if c.channel == "" {
				fail(r.Line, "channel", "is empty")
				ok = false
			} else if !registered[c.channel] {
				fail(r.Line, "channel", "channel %q is not registered", c.channel)
				ok = false
			}
			if v := strings.TrimSpace(r.Amount); v == "" {
				fail(r.Line, "amount", "is empty")
				ok = false
			} else if f, err := money.ParseWritten(v); err != nil || f <= 0 {
				fail(r.Line, "amount", "%q is not a positive amount in yuan with at most two decimals (write it as %s)", v, money.WrittenForms)
				ok = false
			} else {
				c.amount = f
			}
			if c.account != "" && c.channel != "" {
				k := [2]string{c.account, c.channel}
				if line, dup := first[k]; dup {
					fail(r.Line, "account", "account %s on channel %s is already on row %d", c.account, c.channel, line)
					ok = false
				} else {
					first[k] = r.Line
				}
			}
			if ok {
				if total > money.Fen(1<<62)-c.amount {
					fail(r.Line, "amount", "the opening set's total is too large")
					continue
				}
				total += c.amount
				rows = append(rows, c)
			}
		}
		if len(bad) > 0 {
			return &errs.Error{Kind: errs.Invalid, Code: "invalid_rows", Field: "file", Message: (&tabular.ImportError{Rows: bad, Omitted: omitted}).Error(),
				Err: &tabular.ImportError{Rows: bad, Omitted: omitted}}
		}
		pl := payload{DocNo: o.DocNo, Day: day, Rows: len(rows), Total: total, Digest: digest(rows)}
		in, err := s.ins.ProposeTx(ctx, tx, p, instruct.New{Kind: instruct.Opening, Key: o.Key, Place: place.Code(p.County + "000000"), Amount: total, Subject: "opening",
			Payload: pl, Summary: fmt.Sprintf("期初余额导入 %s 元：%d 个账户 %d 行（%s，凭证日期 %s）", total, len(codes), len(rows), o.DocNo, pl.Day)})
		if err != nil {
			return err
		}
		out = in
		if in.Replayed {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO adopt_openings (county, instruction, doc_no, day, rows_count, total, digest, state, maker, created_at, posted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, 0)`, p.County, in.ID, pl.DocNo, pl.Day, len(rows), int64(total), pl.Digest, p.Username, clock.Micros(tx.Now)); err != nil {
			return errs.Wrap(err, "adopt: opening")
		}
		if err := insertRows(ctx, tx, p.County, in.ID, rows); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "adopt.opening_enter", Object: fmt.Sprintf("opening set, instruction %d", in.ID),
			Place: p.County + "000000", After: pl})
		return err
	})
	return out, err
}

// current is the county's opening set that is pending or posted (0 when
// none: never entered, or every one rejected).
func current(ctx context.Context, q store.Querier, county string) (int64, string, error) {
	var id int64
	var state string
	err := q.QueryRowContext(ctx, `SELECT o.instruction, i.state FROM adopt_openings o JOIN money_instructions i ON i.county = o.county AND i.id = o.instruction
		WHERE o.county = ? AND i.state IN ('pending', 'posted') ORDER BY o.instruction LIMIT 1`, county).Scan(&id, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", errs.Wrap(err, "adopt: current")
	}
	return id, state, nil
}

// exists is the refusal of a second opening set.
func exists(id int64, state string) error {
	if state == instruct.Posted {
		return errs.F(errs.RuleBroken, "opening_exists", "", "the county already has a posted opening set (instruction %d); a second is refused", id)
	}
	return errs.F(errs.RuleBroken, "opening_exists", "", "the county's opening set (instruction %d) is waiting for approval; a second is refused unless it is rejected", id)
}

func insertRows(ctx context.Context, tx *store.Tx, county string, id int64, rows []checked) error {
	const per = 1000 // 6 columns: 6,000 parameters a statement
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString(`INSERT INTO adopt_opening_rows (county, instruction, line, account, channel, amount) VALUES `)
		args := make([]any, 0, (end-start)*6)
		for i, r := range rows[start:end] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, county, id, r.line, r.account, r.channel, int64(r.amount))
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return errs.Wrap(err, "adopt: rows")
		}
	}
	return nil
}

func readRows(ctx context.Context, q store.Querier, county string, id int64) ([]checked, error) {
	rs, err := q.QueryContext(ctx, `SELECT line, account, channel, amount FROM adopt_opening_rows WHERE county = ? AND instruction = ? ORDER BY line`, county, id)
	if err != nil {
		return nil, errs.Wrap(err, "adopt: read rows")
	}
	defer rs.Close()
	var out []checked
	for rs.Next() {
		var c checked
		var amt int64
		if err := rs.Scan(&c.line, &c.account, &c.channel, &amt); err != nil {
			return nil, errs.Wrap(err, "adopt: read rows")
		}
		c.amount = money.Fen(amt)
		out = append(out, c)
	}
	return out, rs.Err()
}

// exec posts an approved opening set in the approving transaction: one
// transfer per account from the opening account, a leg per channel, all
// under the set's 文号 with its document date in the memo.
func (s *Service) exec(ctx context.Context, tx *store.Tx, approver auth.Principal, in instruct.Instruction) ([]int64, error) {
	var pl payload
	if err := instruct.Decode(in, &pl); err != nil {
		return nil, err
	}
	if err := tx.FreshPlans(ctx); err != nil {
		return nil, errs.Wrap(err, "adopt: plans")
	}
	var posted int64
	err := tx.QueryRowContext(ctx, `SELECT instruction FROM adopt_openings WHERE county = ? AND state = 'posted'`, in.County).Scan(&posted)
	switch {
	case err == nil:
		return nil, exists(posted, instruct.Posted)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, errs.Wrap(err, "adopt: posted")
	}
	rows, err := readRows(ctx, tx, in.County, in.ID)
	if err != nil {
		return nil, err
	}
	if len(rows) != pl.Rows || digest(rows) != pl.Digest {
		return nil, errs.F(errs.RuleBroken, "instruction_stale", "", "the opening set's rows are not those that were entered")
	}
	if _, _, err := s.l.OpenAccountsTx(ctx, tx, in.County, []ledger.NewAccount{{Code: OpeningAccount, Kind: ledger.External, Name: OpeningAccountName, Owner: OpeningAccountName, Place: place.Code(in.County + "000000")}}); err != nil {
		return nil, err
	}
	var reqs []ledger.TransferRequest
	at := map[string]int{}
	memo := "期初余额（凭证日期 " + pl.Day + "）"
	for _, r := range rows {
		i, ok := at[r.account]
		if !ok {
			i = len(reqs)
			at[r.account] = i
			reqs = append(reqs, ledger.TransferRequest{Key: fmt.Sprintf("opening:%d:%s", in.ID, r.account), Kind: "opening", From: OpeningAccount, To: r.account, DocNo: pl.DocNo, Memo: memo})
		}
		reqs[i].Legs = append(reqs[i].Legs, ledger.Leg{Channel: r.channel, Amount: r.amount})
	}
	// The ledger posts at most 10,000 transfers a call; every call is in
	// the approving transaction, so the set posts whole or not at all.
	ids := make([]int64, 0, len(reqs))
	for start := 0; start < len(reqs); start += postChunk {
		ts, _, err := s.l.PostTx(ctx, tx, approver.Username, in.County, reqs[start:min(start+postChunk, len(reqs))])
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			ids = append(ids, t.ID)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE adopt_openings SET state = 'posted', posted_at = ? WHERE county = ? AND instruction = ?`, clock.Micros(tx.Now), in.County, in.ID); err != nil {
		return nil, errs.Wrap(err, "adopt: posted")
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{County: in.County, Actor: approver.Username, Action: "adopt.opening_post", Object: fmt.Sprintf("opening set, instruction %d", in.ID),
		Place: in.County + "000000", After: map[string]any{"maker": in.Maker, "approver": approver.Username, "doc_no": pl.DocNo, "day": pl.Day, "rows": pl.Rows,
			"accounts": len(reqs), "total": pl.Total.String(), "first_transfer": first(ids), "last_transfer": last(ids)}}); err != nil {
		return nil, err
	}
	return ids, nil
}

func first(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

func last(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[len(ids)-1]
}

// Set is a county's opening set as the page shows it.
type Set struct {
	Instruction int64
	DocNo       string
	Day         string
	Rows        int
	Total       money.Fen
	State       string // the instruction's: pending, posted, rejected
	Maker       string
	CreatedAt   time.Time
	PostedAt    time.Time
}

// Sets lists the county's opening sets, newest first.
func (s *Service) Sets(ctx context.Context, county string) ([]Set, error) {
	rs, err := s.db.QueryContext(ctx, `SELECT o.instruction, o.doc_no, o.day, o.rows_count, o.total, i.state, o.maker, o.created_at, o.posted_at
		FROM adopt_openings o JOIN money_instructions i ON i.county = o.county AND i.id = o.instruction WHERE o.county = ? ORDER BY o.instruction DESC`, county)
	if err != nil {
		return nil, errs.Wrap(err, "adopt: sets")
	}
	defer rs.Close()
	out := []Set{}
	for rs.Next() {
		var st Set
		var total, created, posted int64
		if err := rs.Scan(&st.Instruction, &st.DocNo, &st.Day, &st.Rows, &total, &st.State, &st.Maker, &created, &posted); err != nil {
			return nil, errs.Wrap(err, "adopt: sets")
		}
		st.Total, st.CreatedAt = money.Fen(total), clock.FromMicros(created)
		if posted > 0 {
			st.PostedAt = clock.FromMicros(posted)
		}
		out = append(out, st)
	}
	return out, rs.Err()
}
