package funds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/tabular"
)

// MaxImportBytes bounds an uploaded file (tabular's limit).
const MaxImportBytes = tabular.MaxBytes

// RowError and ImportError are tabular's: what is wrong with one cell,
// and every bad cell of a file that was not imported.
type (
	RowError    = tabular.RowError
	ImportError = tabular.ImportError
)

// column is one column an import understands.
type column = tabular.Column

// table is the shared import table with the funds' cell readers.
type table struct{ *tabular.Table }

func newTable(r io.Reader, cols []column) (*table, error) {
	t, err := tabular.NewTable(r, cols)
	if err != nil {
		return nil, err
	}
	return &table{t}, nil
}

func (t *table) amount(key string) money.Fen {
	v := t.Required(key)
	if v == "" {
		return 0
	}
	f, err := money.ParseWritten(v)
	if err != nil || f <= 0 {
		t.Fail(key, "%q is not a positive amount in yuan with at most two decimals (write it as %s)", v, money.WrittenForms)
	}
	return f
}

func (t *table) year(key string) int {
	v := t.Required(key)
	y, err := strconv.Atoi(v)
	if v != "" && (err != nil || y < 2000 || y > 2100) {
		t.Fail(key, "%q is not a year", v)
	}
	return y
}

var fieldIndex = regexp.MustCompile(`^(?:channels|movements|plans)\[(\d+)\]\.(\w+)$`)

// rowOf turns a service error naming "channels[3].level" into a row error.
func rowOf(err error, rowFor []int) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	if m := fieldIndex.FindStringSubmatch(e.Field); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < len(rowFor) {
			return &ImportError{Rows: []RowError{{Row: rowFor[i], Column: m[2], Why: e.Message, Format: e.Format, Args: e.Args}}}
		}
	}
	if len(rowFor) == 1 {
		return &ImportError{Rows: []RowError{{Row: rowFor[0], Column: e.Field, Why: e.Message, Format: e.Format, Args: e.Args}}}
	}
	return err
}

// Import reads channels, plans or arrivals from a CSV or xlsx file, checks
// every row, and writes all of them or — when any row is wrong — none,
// returning every bad cell. kind is "channels", "plans", "arrivals" or
// "minutes" (one department's commitment per row).
// It returns how many rows were imported. Errors: *ImportError (wrapped in
// an Invalid errs.Error), Invalid.
func (s *Service) Import(ctx context.Context, actor, county, kind string, r io.Reader) (int, error) {
	var rowFor []int
	switch kind {
	case "channels":
		t, err := newTable(r, []column{{Key: "code", Names: []string{"code", "代码"}, Required: true}, {Key: "name", Names: []string{"name", "名称"}, Required: true}, {Key: "level", Names: []string{"level", "级次"}, Required: true},
			{Key: "category", Names: []string{"category", "类别"}, Required: true}, {Key: "department", Names: []string{"department", "主管部门"}, Required: true}, {Key: "year", Names: []string{"year", "年度"}, Required: true},
			{Key: "purposes", Names: []string{"purposes", "用途"}, Required: false}, {Key: "integrable", Names: []string{"integrable", "纳入整合"}, Required: false}})
		if err != nil {
			return 0, err
		}
		defer t.Close()
		prof, err := s.profile(ctx, county)
		if err != nil {
			return 0, err
		}
		chans, err := s.Channels(ctx, county)
		if err != nil {
			return 0, err
		}
		registered := map[string]bool{}
		for _, c := range chans {
			registered[c.Code] = true
		}
		seen := map[string]bool{}
		firstRow := map[string]int{}
		var in []NewChannel
		for t.Next() {
			if t.Empty() {
				continue
			}
			nc := NewChannel{Code: t.Required("code"), Name: t.Required("name"), Level: t.Required("level"), Category: t.Required("category"),
				Department: t.Required("department"), Year: t.year("year")}
			if p := t.Cell("purposes"); p != "" {
				nc.Purposes = strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == ' ' || r == '，' || r == '、' })
			}
			switch strings.ToLower(t.Cell("integrable")) {
			case "", "yes", "是", "1", "true":
			case "no", "否", "0", "false":
				nc.NotIntegrable = true
			default:
				t.Fail("integrable", "%q must be yes/no (是/否)", t.Cell("integrable"))
			}
			// Every rule Register applies, on every row, in this one pass.
			switch code := strings.TrimSpace(nc.Code); {
			case code == "":
			case seen[code]:
				t.Fail("code", "channel %s is on row %d too", code, firstRow[code])
			case registered[code]:
				t.Fail("code", "channel %s is registered already", code)
			case !codeRe.MatchString(code):
				t.Fail("code", "code %q must be 1–32 letters, digits, - or _", code)
			default:
				firstRow[code], seen[code] = t.Row(), true
			}
			if nc.Level != "" && !contains(Levels, nc.Level) {
				t.Fail("level", "level %q must be one of %s", nc.Level, strings.Join(Levels, ", "))
			}
			if nc.Category != "" {
				if cat, ok := prof.Funds.Category(nc.Category); !ok {
					var codes []string
					for _, x := range prof.Funds.Categories {
						codes = append(codes, x.Code)
					}
					t.Fail("category", "category %q is not in the %s profile (%s)", nc.Category, prof.ID, strings.Join(codes, ", "))
				} else {
					for _, pu := range nc.Purposes {
						if !contains(cat.Purposes, pu) {
							t.Fail("purposes", "purpose %q is not one category %s may pay for (%s)", pu, cat.Code, strings.Join(cat.Purposes, ", "))
						}
					}
				}
			}
			in = append(in, nc)
			rowFor = append(rowFor, t.Row())
		}
		if err := t.Err(); err != nil {
			return 0, err
		}
		if t.Failed() {
			return 0, t.Invalid()
		}
		if _, err := s.Register(ctx, actor, county, in); err != nil {
			return 0, wrapImport(rowOf(err, rowFor))
		}
		return len(in), nil
	case "plans":
		t, err := newTable(r, []column{{Key: "channel", Names: []string{"channel", "渠道代码"}, Required: true}, {Key: "year", Names: []string{"year", "年度"}, Required: true}, {Key: "amount", Names: []string{"amount", "金额"}, Required: true}})
		if err != nil {
			return 0, err
		}
		defer t.Close()
		chans, err := s.Channels(ctx, county)
		if err != nil {
			return 0, err
		}
		known := map[string]bool{}
		for _, c := range chans {
			known[c.Code] = true
		}
		type plan struct {
			ch   string
			year int
			amt  money.Fen
		}
		var ps []plan
		for t.Next() {
			if t.Empty() {
				continue
			}
			p := plan{t.Required("channel"), t.year("year"), t.amount("amount")}
			if p.ch != "" && !known[p.ch] {
				t.Fail("channel", "channel %q is not registered", p.ch)
			}
			ps = append(ps, p)
		}
		if err := t.Err(); err != nil {
			return 0, err
		}
		if t.Failed() {
			return 0, t.Invalid()
		}
		err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
			for _, p := range ps {
				if _, err := tx.ExecContext(ctx, `INSERT INTO fund_plans (county, channel, year, amount, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
					ON CONFLICT (county, channel, year) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
					county, p.ch, p.year, int64(p.amt), clock.Micros(tx.Now), actor); err != nil {
					return errs.Wrap(err, "funds: import plan")
				}
			}
			_, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds.import", Object: fmt.Sprintf("%d plans", len(ps)), Place: county + "000000"})
			return err
		})
		return len(ps), err
	case "arrivals":
		t, err := newTable(r, []column{{Key: "key", Names: []string{"key", "流水号"}, Required: true}, {Key: "channel", Names: []string{"channel", "渠道代码"}, Required: true}, {Key: "amount", Names: []string{"amount", "金额"}, Required: true},
			{Key: "day", Names: []string{"day", "文件日期"}, Required: true}, {Key: "doc_no", Names: []string{"doc_no", "文号"}, Required: false}, {Key: "memo", Names: []string{"memo", "摘要"}, Required: false}})
		if err != nil {
			return 0, err
		}
		defer t.Close()
		chans, err := s.Channels(ctx, county)
		if err != nil {
			return 0, err
		}
		known := map[string]bool{}
		for _, c := range chans {
			known[c.Code] = true
		}
		keys := map[string]int{}
		var ms []Movement
		for t.Next() {
			if t.Empty() {
				continue
			}
			m := Movement{Key: t.Required("key"), Channel: t.Required("channel"), Amount: t.amount("amount"), Day: t.Date("day", true), DocNo: t.Cell("doc_no"), Memo: t.Cell("memo")}
			if m.Channel != "" && !known[m.Channel] {
				t.Fail("channel", "channel %q is not registered", m.Channel)
			}
			if m.Key != "" {
				if j, dup := keys[m.Key]; dup {
					t.Fail("key", "key %s is on row %d too", m.Key, j)
				} else {
					keys[m.Key] = t.Row()
				}
			}
			ms = append(ms, m)
			rowFor = append(rowFor, t.Row())
		}
		if err := t.Err(); err != nil {
			return 0, err
		}
		if t.Failed() {
			return 0, t.Invalid()
		}
		if _, err := s.Arrive(ctx, actor, county, ms); err != nil {
			return 0, wrapImport(rowOf(err, rowFor))
		}
		return len(ms), nil
	case "minutes":
		return s.importMinutes(ctx, actor, county, r)
	}
	return 0, errs.F(errs.Invalid, "invalid_import", "kind", "kind must be channels, plans, arrivals or minutes, got %q", kind)
}

// importMinutes reads one commitment per row (village, minutes number,
// meeting day, department, amount, deadline); rows of the same village and
// number make one minutes. All are written in one transaction, or none.
func (s *Service) importMinutes(ctx context.Context, actor, county string, r io.Reader) (int, error) {
	t, err := newTable(r, []column{{Key: "village", Names: []string{"village", "村代码"}, Required: true}, {Key: "minutes_no", Names: []string{"minutes_no", "纪要编号"}, Required: true},
		{Key: "day", Names: []string{"day", "会议日期"}, Required: true}, {Key: "department", Names: []string{"department", "部门"}, Required: true}, {Key: "amount", Names: []string{"amount", "承诺金额"}, Required: true},
		{Key: "deadline", Names: []string{"deadline", "完成时限"}, Required: true}})
	if err != nil {
		return 0, err
	}
	defer t.Close()
	date := func(col string) time.Time { return t.Date(col, true) }
	type key struct{ village, no string }
	var order []key
	byKey := map[key]*Minutes{}
	n := 0
	for t.Next() {
		if t.Empty() {
			continue
		}
		k := key{t.Required("village"), t.Required("minutes_no")}
		v := place.Code(k.village)
		if k.village != "" && (!v.Valid() || v.Level() != place.Village || !place.Code(county+"000000").Contains(v)) {
			t.Fail("village", "%q is not a village of county %s", k.village, county)
		}
		day := date("day")
		c := Commitment{Department: t.Required("department"), Amount: t.amount("amount"), Deadline: date("deadline")}
		if !c.Deadline.IsZero() && c.Deadline.Before(day) {
			t.Fail("deadline", "the deadline is before the meeting")
		}
		m := byKey[k]
		if m == nil {
			m = &Minutes{Village: v, MinutesNo: k.no, Day: day}
			byKey[k] = m
			order = append(order, k)
		} else if !day.IsZero() && !day.Equal(m.Day) {
			t.Fail("day", "minutes %s has another meeting date on an earlier row", k.no)
		}
		for _, x := range m.Commitments {
			if x.Department == c.Department && c.Department != "" {
				t.Fail("department", "%s appears twice in minutes %s", c.Department, k.no)
			}
		}
		m.Commitments = append(m.Commitments, c)
		n++
	}
	if err := t.Err(); err != nil {
		return 0, err
	}
	if t.Failed() {
		return 0, t.Invalid()
	}
	if n == 0 {
		return 0, errs.F(errs.Invalid, "empty_import", "file", "the file has no rows")
	}
	for _, k := range order {
		if err := checkMinutes(county, byKey[k]); err != nil {
			return 0, err
		}
	}
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		for _, k := range order {
			if err := recordMinutesTx(ctx, tx, actor, county, *byKey[k]); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// wrapImport gives an ImportError a kind (Invalid) so that every layer
// answers 400 with the rows.
func wrapImport(err error) error {
	var ie *ImportError
	if errors.As(err, &ie) {
		return &errs.Error{Kind: errs.Invalid, Code: "invalid_rows", Field: "file", Message: ie.Error(), Err: ie}
	}
	return err
}
