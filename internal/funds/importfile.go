package funds

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// MaxImportBytes bounds an uploaded file; an xlsx may unzip to 4× that.
const MaxImportBytes = 8 << 20

// RowError is what is wrong with one cell of an imported file.
type RowError struct {
	Row    int    // 1-based, the header is row 1
	Column string // the column's header
	Why    string
}

func (e RowError) String() string {
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Why)
}

// ImportError lists every bad cell; nothing was written.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	var b []string
	for i, r := range e.Rows {
		if i == 20 {
			b = append(b, fmt.Sprintf("… and %d more", len(e.Rows)-20))
			break
		}
		b = append(b, r.String())
	}
	return "the file was not imported: " + strings.Join(b, "; ")
}

// ParseTable reads a CSV (UTF-8, with or without BOM) or an xlsx (its
// first sheet), recognised by content, into rows of cells. Errors: Invalid.
func ParseTable(r io.Reader) ([][]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, errs.Wrap(err, "funds: read file")
	}
	if len(data) > MaxImportBytes {
		return nil, errs.F(errs.Invalid, "file_too_large", "file", "the file is larger than %d MiB", MaxImportBytes>>20)
	}
	if bytes.HasPrefix(data, []byte("PK")) {
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 4 * MaxImportBytes, UnzipXMLSizeLimit: 2 * MaxImportBytes})
		if err != nil {
			return nil, errs.F(errs.Invalid, "invalid_file", "file", "not a readable xlsx or CSV file")
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, errs.F(errs.Invalid, "invalid_file", "file", "the workbook has no sheet")
		}
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			return nil, errs.F(errs.Invalid, "invalid_file", "file", "cannot read sheet %s", sheets[0])
		}
		return rows, nil
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, errs.F(errs.Invalid, "invalid_file", "file", "CSV row %d: %v", pe.Line, pe.Err)
		}
		return nil, errs.F(errs.Invalid, "invalid_file", "file", "not a readable CSV file")
	}
	return rows, nil
}

// Column is one column an import understands: its key and its header
// names (English, Chinese).
type Column struct {
	Key      string
	Names    []string
	Required bool
}

// column is Column, for the literals below.
type column = Column

// Table maps header names to columns and collects every bad cell; the
// imports of funds, the registry and the bank's return files share it.
type Table struct {
	rows [][]string
	idx  map[string]int
	errs []RowError
}

type table = Table

// Rows is how many rows the file has, the header included.
func (t *Table) Rows() int { return len(t.rows) }

// Errors are the bad cells found so far.
func (t *Table) Errors() []RowError { return t.errs }

// NewTable checks the header of rows against cols. Errors: Invalid
// (empty_import, file_too_large, missing_column).
func NewTable(rows [][]string, cols []Column) (*Table, error) { return newTable(rows, cols) }

func newTable(rows [][]string, cols []column) (*table, error) {
	if len(rows) < 2 {
		return nil, errs.F(errs.Invalid, "empty_import", "file", "the file needs a header row and at least one data row")
	}
	if len(rows) > 100001 {
		return nil, errs.F(errs.Invalid, "file_too_large", "file", "at most 100,000 rows per file")
	}
	t := &table{rows: rows, idx: map[string]int{}}
	head := map[string]int{}
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if _, dup := head[h]; !dup {
			head[h] = i
		}
	}
	var missing []string
	for _, c := range cols {
		found := false
		for _, n := range c.Names {
			if i, ok := head[strings.ToLower(n)]; ok {
				t.idx[c.Key], found = i, true
				break
			}
		}
		if !found && c.Required {
			missing = append(missing, strings.Join(c.Names, "/"))
		}
	}
	if len(missing) > 0 {
		return nil, errs.F(errs.Invalid, "missing_column", "file", "the header lacks column(s) %s", strings.Join(missing, ", "))
	}
	return t, nil
}

// Cell is a row's trimmed cell of a column ("" when absent).
func (t *Table) Cell(row int, key string) string { return t.cell(row, key) }

// Fail records a bad cell (row is the 0-based index into the rows).
func (t *Table) Fail(row int, col, format string, args ...any) { t.fail(row, col, format, args...) }

// Required is a cell that must not be empty.
func (t *Table) Required(row int, key string) string { return t.required(row, key) }

// Empty reports whether a row has no content.
func (t *Table) Empty(row int) bool { return t.empty(row) }

func (t *table) cell(row int, key string) string {
	i, ok := t.idx[key]
	if !ok || i >= len(t.rows[row]) {
		return ""
	}
	return strings.TrimSpace(t.rows[row][i])
}

func (t *table) fail(row int, col, format string, args ...any) {
	t.errs = append(t.errs, RowError{Row: row + 1, Column: col, Why: fmt.Sprintf(format, args...)})
}

func (t *table) required(row int, key string) string {
	v := t.cell(row, key)
	if v == "" {
		t.fail(row, key, "is empty")
	}
	return v
}

func (t *table) amount(row int, key string) money.Fen {
	v := t.required(row, key)
	if v == "" {
		return 0
	}
	f, err := money.Parse(v)
	if err != nil || f <= 0 {
		t.fail(row, key, "%q is not a positive amount in yuan with at most two decimals", v)
	}
	return f
}

func (t *table) year(row int, key string) int {
	v := t.required(row, key)
	y, err := strconv.Atoi(v)
	if v != "" && (err != nil || y < 2000 || y > 2100) {
		t.fail(row, key, "%q is not a year", v)
	}
	return y
}

// empty reports whether a row has no content (skipped).
func (t *table) empty(row int) bool {
	for _, c := range t.rows[row] {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
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
			return &ImportError{Rows: []RowError{{Row: rowFor[i] + 1, Column: m[2], Why: e.Message}}}
		}
	}
	if len(rowFor) == 1 {
		return &ImportError{Rows: []RowError{{Row: rowFor[0] + 1, Column: e.Field, Why: e.Message}}}
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
	rows, err := ParseTable(r)
	if err != nil {
		return 0, err
	}
	var rowFor []int
	switch kind {
	case "channels":
		t, err := newTable(rows, []column{{"code", []string{"code", "代码"}, true}, {"name", []string{"name", "名称"}, true}, {"level", []string{"level", "级次"}, true},
			{"category", []string{"category", "类别"}, true}, {"department", []string{"department", "主管部门"}, true}, {"year", []string{"year", "年度"}, true},
			{"purposes", []string{"purposes", "用途"}, false}, {"integrable", []string{"integrable", "纳入整合"}, false}})
		if err != nil {
			return 0, err
		}
		var in []NewChannel
		for i := 1; i < len(rows); i++ {
			if t.empty(i) {
				continue
			}
			nc := NewChannel{Code: t.required(i, "code"), Name: t.required(i, "name"), Level: t.required(i, "level"), Category: t.required(i, "category"),
				Department: t.required(i, "department"), Year: t.year(i, "year")}
			if p := t.cell(i, "purposes"); p != "" {
				nc.Purposes = strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == ' ' || r == '，' || r == '、' })
			}
			switch strings.ToLower(t.cell(i, "integrable")) {
			case "", "yes", "是", "1", "true":
			case "no", "否", "0", "false":
				nc.NotIntegrable = true
			default:
				t.fail(i, "integrable", "%q must be yes/no (是/否)", t.cell(i, "integrable"))
			}
			in = append(in, nc)
			rowFor = append(rowFor, i)
		}
		if len(t.errs) > 0 {
			return 0, importErr(t.errs)
		}
		if _, err := s.Register(ctx, actor, county, in); err != nil {
			return 0, wrapImport(rowOf(err, rowFor))
		}
		return len(in), nil
	case "plans":
		t, err := newTable(rows, []column{{"channel", []string{"channel", "渠道代码"}, true}, {"year", []string{"year", "年度"}, true}, {"amount", []string{"amount", "金额"}, true}})
		if err != nil {
			return 0, err
		}
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
		for i := 1; i < len(rows); i++ {
			if t.empty(i) {
				continue
			}
			p := plan{t.required(i, "channel"), t.year(i, "year"), t.amount(i, "amount")}
			if p.ch != "" && !known[p.ch] {
				t.fail(i, "channel", "channel %q is not registered", p.ch)
			}
			ps = append(ps, p)
		}
		if len(t.errs) > 0 {
			return 0, importErr(t.errs)
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
		t, err := newTable(rows, []column{{"key", []string{"key", "流水号"}, true}, {"channel", []string{"channel", "渠道代码"}, true}, {"amount", []string{"amount", "金额"}, true},
			{"day", []string{"day", "文件日期"}, true}, {"doc_no", []string{"doc_no", "文号"}, false}, {"memo", []string{"memo", "摘要"}, false}})
		if err != nil {
			return 0, err
		}
		var ms []Movement
		for i := 1; i < len(rows); i++ {
			if t.empty(i) {
				continue
			}
			m := Movement{Key: t.required(i, "key"), Channel: t.required(i, "channel"), Amount: t.amount(i, "amount"), DocNo: t.cell(i, "doc_no"), Memo: t.cell(i, "memo")}
			if d := t.required(i, "day"); d != "" {
				day, err := time.ParseInLocation("2006-01-02", d, clock.Zone)
				if err != nil {
					t.fail(i, "day", "%q is not a date YYYY-MM-DD", d)
				}
				m.Day = day
			}
			ms = append(ms, m)
			rowFor = append(rowFor, i)
		}
		if len(t.errs) > 0 {
			return 0, importErr(t.errs)
		}
		if _, err := s.Arrive(ctx, actor, county, ms); err != nil {
			return 0, wrapImport(rowOf(err, rowFor))
		}
		return len(ms), nil
	case "minutes":
		return s.importMinutes(ctx, actor, county, rows)
	}
	return 0, errs.F(errs.Invalid, "invalid_import", "kind", "kind must be channels, plans, arrivals or minutes, got %q", kind)
}

// importMinutes reads one commitment per row (village, minutes number,
// meeting day, department, amount, deadline); rows of the same village and
// number make one minutes. All are written in one transaction, or none.
func (s *Service) importMinutes(ctx context.Context, actor, county string, rows [][]string) (int, error) {
	t, err := newTable(rows, []column{{"village", []string{"village", "村代码"}, true}, {"minutes_no", []string{"minutes_no", "纪要编号"}, true},
		{"day", []string{"day", "会议日期"}, true}, {"department", []string{"department", "部门"}, true}, {"amount", []string{"amount", "承诺金额"}, true},
		{"deadline", []string{"deadline", "完成时限"}, true}})
	if err != nil {
		return 0, err
	}
	date := func(i int, col string) time.Time {
		d := t.required(i, col)
		if d == "" {
			return time.Time{}
		}
		v, err := time.ParseInLocation("2006-01-02", d, clock.Zone)
		if err != nil {
			t.fail(i, col, "%q is not a date YYYY-MM-DD", d)
		}
		return v
	}
	type key struct{ village, no string }
	var order []key
	byKey := map[key]*Minutes{}
	n := 0
	for i := 1; i < len(rows); i++ {
		if t.empty(i) {
			continue
		}
		k := key{t.required(i, "village"), t.required(i, "minutes_no")}
		v := place.Code(k.village)
		if k.village != "" && (!v.Valid() || v.Level() != place.Village || !place.Code(county+"000000").Contains(v)) {
			t.fail(i, "village", "%q is not a village of county %s", k.village, county)
		}
		day := date(i, "day")
		c := Commitment{Department: t.required(i, "department"), Amount: t.amount(i, "amount"), Deadline: date(i, "deadline")}
		if !c.Deadline.IsZero() && c.Deadline.Before(day) {
			t.fail(i, "deadline", "the deadline is before the meeting")
		}
		m := byKey[k]
		if m == nil {
			m = &Minutes{Village: v, MinutesNo: k.no, Day: day}
			byKey[k] = m
			order = append(order, k)
		} else if !day.IsZero() && !day.Equal(m.Day) {
			t.fail(i, "day", "minutes %s has another meeting date on an earlier row", k.no)
		}
		for _, x := range m.Commitments {
			if x.Department == c.Department && c.Department != "" {
				t.fail(i, "department", "%s appears twice in minutes %s", c.Department, k.no)
			}
		}
		m.Commitments = append(m.Commitments, c)
		n++
	}
	if len(t.errs) > 0 {
		return 0, importErr(t.errs)
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

func importErr(rows []RowError) error { return wrapImport(&ImportError{Rows: rows}) }

// wrapImport gives an ImportError a kind (Invalid) so that every layer
// answers 400 with the rows.
func wrapImport(err error) error {
	var ie *ImportError
	if errors.As(err, &ie) {
		return &errs.Error{Kind: errs.Invalid, Code: "invalid_rows", Field: "file", Message: ie.Error(), Err: ie}
	}
	return err
}
